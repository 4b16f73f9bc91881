using System.Globalization;
using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Coordinator.Cli;
using Asl.Distributed.Coordinator.Hosting;
using Grpc.Core;
using Grpc.Net.Client;

namespace Asl.Distributed.Coordinator.Tests.EndToEnd;

/// <summary>
/// A real <c>asl serve</c> process on a folder and fixed ports (so it can be killed and started again where the
/// agents look for it), with real <c>asl-worker join</c> agents and a client.
/// </summary>
internal sealed class ServedCoordinator : IDisposable
{
    private readonly string _workingDirectory;
    private readonly string[] _serve;
    private readonly List<RunningProcess> _agents = [];
    private GrpcChannel? _channel;

    public ServedCoordinator(string workingDirectory, double heartbeatTimeoutSeconds)
    {
        _workingDirectory = workingDirectory;
        Directory = Path.Combine(workingDirectory, "coordinator");
        _serve = ["serve", "--dir", Directory, "--port", LoopbackPorts.Free().ToString(CultureInfo.InvariantCulture),
            "--silo-port", LoopbackPorts.Free().ToString(CultureInfo.InvariantCulture),
            "--heartbeat-interval-s", "0.5", "--heartbeat-timeout-s", heartbeatTimeoutSeconds.ToString(CultureInfo.InvariantCulture)];
    }

    public string Directory { get; }

    public string Url { get; private set; } = "";

    public RunningProcess? Process { get; private set; }

    public IReadOnlyList<RunningProcess> Agents => _agents;

    public SweepService.SweepServiceClient Client { get; private set; } = null!;

    /// <summary>The coordinator's store file.</summary>
    public string StorePath => Path.Combine(Directory, "coordinator.db");

    /// <summary>Starts (or starts again) the coordinator, with <paramref name="environment"/> added to its own, and waits until it listens.</summary>
    public async Task Start(IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = Programs.Start(Programs.Asl, _workingDirectory, _serve);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        Process = new RunningProcess(start);
        Url = (await Process.WaitForLine("coordinator listening on")).Split(' ')[4];
        _channel?.Dispose();
        _channel = CoordinatorAddress.Channel(Url, File.ReadAllText(Path.Combine(Directory, TokenFiles.ClientFileName)).Trim());
        Client = new SweepService.SweepServiceClient(_channel);
    }

    /// <summary>SIGKILL, as a crash or an OOM kill would end it.</summary>
    public async Task Kill()
    {
        Process!.Process.Kill();
        await Process.WaitForExit();
        Process.Dispose();
        Process = null;
    }

    /// <summary>
    /// Waits until the coordinator holds the store write that <c>ASL_TEST_HOLD_STORE_WRITE</c> chose (the file it
    /// creates then appears) and returns the held operation; fails if the coordinator exits first.
    /// </summary>
    public Task<string> WaitForHeldWrite() => WaitForSignal(StorePath + ".held", Process!, "the coordinator", "held the chosen write");

    /// <summary>
    /// Waits until <paramref name="signal"/> exists (a test-only fault point writes it whole, then renames it) and
    /// returns its text; fails if <paramref name="process"/> exits first.
    /// </summary>
    public static async Task<string> WaitForSignal(string signal, RunningProcess process, string who, string what)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var exited = process.Process.WaitForExitAsync(guard.Token);
        // Looked for every 50 ms: cheap, and unlike a watcher it cannot miss a file that appeared before the wait began.
        while (!File.Exists(signal))
        {
            if (exited.IsCompleted)
                throw new InvalidOperationException($"{who} exited before it {what}:\n{process.Output}");
            await Task.Delay(TimeSpan.FromMilliseconds(50), guard.Token);
        }
        return await File.ReadAllTextAsync(signal, guard.Token);
    }

    /// <summary>
    /// Waits until one of <paramref name="agents"/> holds rank 1 of <paramref name="trialId"/>'s first attempt at the
    /// agent's test-only fault point (<c>ASL_TEST_HOLD_AFTER_EPOCH</c>, which writes <paramref name="signal"/>); returns
    /// that trial as the coordinator lists it once rank 0 has reported the held epoch (with its checkpoint).
    /// </summary>
    public async Task<TrialInfo> HeldTrial(string trialId, string signal, IEnumerable<RunningProcess> agents)
    {
        var held = await Task.WhenAny(agents.Select(a => WaitForSignal(signal, a, "an agent", "held its rank")));
        Assert.Equal($"trial {trialId} attempt 1", await held);
        string sweepId = trialId[..trialId.LastIndexOf('.')];
        // Rank 0 reports the epoch without rank 1, and can go no further without it.
        await Until(sweepId, e => e.KindCase == SweepEvent.KindOneofCase.Epoch && e.TrialId == trialId);
        var trial = (await Client.ListTrialsAsync(new ListTrialsRequest { SweepId = sweepId })).Trials.Single(t => t.TrialId == trialId);
        Assert.Equal(2, trial.Attempts[0].WorkerIds.Count);
        return trial;
    }

    /// <summary>Starts an agent named <paramref name="workerId"/> (with <paramref name="environment"/> added) and waits until the coordinator lists it.</summary>
    public async Task<RunningProcess> StartAgent(string workerId, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = Programs.Start(Programs.Worker, _workingDirectory, "join", "--coordinator", Url, "--worker-id", workerId,
            "--peer-port", LoopbackPorts.Free().ToString(CultureInfo.InvariantCulture), "--advertise-host", "127.0.0.1");
        start.Environment[TokenFiles.WorkerVariable] = File.ReadAllText(Path.Combine(Directory, TokenFiles.WorkerFileName)).Trim();
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        var agent = new RunningProcess(start);
        _agents.Add(agent);
        // Registration has no event a client can follow; the agent registers within moments of starting.
        while (!(await Client.ListWorkersAsync(new ListWorkersRequest())).Workers.Any(w => w.WorkerId == workerId))
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        return agent;
    }

    /// <summary>Follows the sweep's events from the start until <paramref name="stop"/> says so; returns the event that did.</summary>
    public async Task<SweepEvent> Until(string sweepId, Func<SweepEvent, bool> stop)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        using var call = Client.WatchSweep(new WatchSweepRequest { SweepId = sweepId }, cancellationToken: guard.Token);
        await foreach (var e in call.ResponseStream.ReadAllAsync(guard.Token))
        {
            if (stop(e))
                return e;
        }
        throw new InvalidOperationException($"the events of {sweepId} ended first");
    }

    public void Dispose()
    {
        _channel?.Dispose();
        foreach (var agent in _agents)
            agent.Dispose();
        Process?.Dispose();
    }
}
