using System.Collections.Concurrent;
using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Coordinator.Tests.Api;
using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Coordinator.Tests.Hosting;

/// <summary>What the coordinator's log holds: its own lines, not the libraries' per-call chatter.</summary>
public sealed class CoordinatorLoggingTests
{
    [Fact]
    public async Task Log_SweepRun_HasTheCoordinatorsLinesAndNoPollyInformation()
    {
        var log = new RecordingProvider();
        await using (var coordinator = await TestCoordinator.Start(logging: log))
        {
            await using var worker = new SimulatedWorker(coordinator.WorkerClient(), "w1", 29501);
            await worker.Join();
            await coordinator.Client().SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = Specs.Grid("logged", 1, values: [1, 2]) });
            for (int i = 0; i < 2; i++)
            {
                var start = await worker.NextStart();
                await worker.Report(start, 1, 40);
                await worker.Complete(start);
            }
        }

        var entries = log.Entries.ToList();
        Assert.Contains(entries, e => e.Category.StartsWith("Asl.Distributed.Coordinator.", StringComparison.Ordinal) && e.Message.Contains("sweep logged submitted", StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.Category.StartsWith("Polly", StringComparison.Ordinal) && e.Level < LogLevel.Warning);
    }

    /// <summary>Keeps every entry the host's filters let through.</summary>
    private sealed class RecordingProvider : ILoggerProvider
    {
        public ConcurrentQueue<(string Category, LogLevel Level, string Message)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Recorder(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Recorder(RecordingProvider provider, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                provider.Entries.Enqueue((category, logLevel, formatter(state, exception)));
        }
    }
}
