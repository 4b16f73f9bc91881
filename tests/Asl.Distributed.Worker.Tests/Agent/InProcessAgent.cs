using Asl.Distributed.Worker.Agent;
using Asl.Distributed.Worker.Logging;
using Asl.Distributed.Worker.Tests.Agent.TestHub;
using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Worker.Tests.Agent;

/// <summary>A <see cref="WorkerAgent"/> running in the test process against a stand-in hub, its output and log lines captured; stopping it is what SIGTERM does.</summary>
internal sealed class InProcessAgent : IAsyncDisposable
{
    private readonly CancellationTokenSource _shutdown = new();
    private readonly LineWriter _writer = new();
    private readonly ILoggerFactory _loggers;
    private readonly WorkerAgent _agent;
    private readonly Task<int> _run;

    public InProcessAgent(StandInHubServer server, string workerId = "worker-a", Func<JoinOptions, JoinOptions>? adjust = null)
    {
        _loggers = LoggerFactory.Create(builder => builder.AddProvider(new TextWriterLoggerProvider(_writer, _writer, "asl-worker")).SetMinimumLevel(LogLevel.Debug));
        Options = new JoinOptions
        {
            Coordinators = [server.Address],
            WorkerId = workerId,
            Token = server.Hub.Token,
            AdvertiseHost = "127.0.0.1",
            PeerPort = 29999,
            InitialBackoff = TimeSpan.FromMilliseconds(50),
            MaxBackoff = TimeSpan.FromMilliseconds(500),
        };
        Options = adjust?.Invoke(Options) ?? Options;
        _agent = new WorkerAgent(Options, _writer, _loggers, TimeProvider.System);
        _run = Task.Run(() => _agent.RunAsync(_shutdown.Token));
    }

    public JoinOptions Options { get; }

    /// <summary>Everything the agent wrote (progress lines and log lines).</summary>
    public string Output => _writer.Text;

    /// <summary>The first output or log line (so far or to come) that matches.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match) => Hang.Guard(_writer.WaitForLineAsync(match), "an awaited line of the agent");

    /// <summary>Stops the agent as SIGTERM does; returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        await _shutdown.CancelAsync();
        return await Hang.Guard(_run, "the agent's stop");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_run.IsCompleted)
            await StopAsync();
        _agent.Dispose();
        _loggers.Dispose();
        _shutdown.Dispose();
    }
}
