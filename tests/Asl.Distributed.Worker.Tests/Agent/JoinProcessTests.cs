using System.Text.Json;
using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Runs;
using Asl.Distributed.Training.Collectives;
using Asl.Distributed.Training.Loop;
using Asl.Distributed.Worker.Tests.Agent.TestHub;

namespace Asl.Distributed.Worker.Tests.Agent;

/// <summary>
/// Real <c>asl-worker join</c> processes against the stand-in coordinator over loopback: SIGTERM releases the running
/// trial with its checkpoint and exits 130; a coordinator stopped and restarted mid-trial gets every report in order
/// while training goes on; two agents train one trial data-parallel.
/// </summary>
public sealed class JoinProcessTests : IDisposable
{
    /// <summary>Only guards against waiting forever.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);
    private readonly TrialFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Sigterm_MidTrial_ReleasesTheTrialWithItsCheckpointAndExits130()
    {
        var hub = new StandInHub();
        await using var server = await StandInHubServer.StartAsync(hub);
        using var worker = Join(server, "w1");
        hub.Start("w1", _folder.Assignment("t1", epochs: 500));
        await Hang.Guard(hub.WaitForAsync<EpochReport>(r => r.Metrics.Epoch == 2), "epoch 2's report");

        UnixProcesses.Send(worker.Id, UnixProcesses.SigTerm);
        Assert.Equal(RunExitCodes.Interrupted, worker.WaitForExit(Limit));

        // The agent said it drains before it released anything (so the trial is not given straight back to it),
        // and delivered the release before it exited.
        var drain = hub.Calls.Single(c => c.Request is DrainRequest);
        Assert.Equal("w1", ((DrainRequest)drain.Request).WorkerId);
        Assert.True(drain.Sequence < hub.Calls.Single(c => c.Request is TrialFailure).Sequence, "the release came before the drain");
        var failure = Assert.Single(hub.Requests<TrialFailure>());
        Assert.Equal(("w1", "t1", 1, FailureKind.Released), (failure.WorkerId, failure.TrialId, failure.Attempt, failure.Kind));
        Assert.Contains("SIGTERM", failure.Reason);
        Assert.Equal(RunExitCodes.Interrupted, failure.ExitCode);
        Assert.Equal(Path.Combine(_folder.Output("t1"), "last.ckpt"), failure.Checkpoint);
        // Intact, and the last one reported: every epoch report precedes the failure.
        int lastReported = hub.Requests<EpochReport>().Max(r => r.Metrics.Epoch);
        Assert.Equal(lastReported, CheckpointFile.ReadState(failure.Checkpoint).Epoch);
        Assert.InRange(lastReported, 2, 499);
        Assert.Empty(hub.Requests<TrialCompletion>());
        Assert.Contains("stopped", worker.Output);
    }

    [Fact]
    public async Task CoordinatorRestartedMidTrial_ReportsArriveInOrderAfterReconnectAndTrainingGoesOn()
    {
        var hub = new StandInHub();
        await using var server = await StandInHubServer.StartAsync(hub);
        using var worker = Join(server, "w1");
        hub.Start("w1", _folder.Assignment("t1", epochs: 12));
        await Hang.Guard(hub.WaitForAsync<EpochReport>(r => r.Metrics.Epoch == 2), "epoch 2's report");

        await server.StopAsync();
        // Training goes on while the coordinator is away: two more epochs end, checkpoint and all.
        worker.WaitForLine(l => l.StartsWith("epoch 4/12 done", StringComparison.Ordinal), Limit);
        await server.StartAgainAsync();

        var completion = await Hang.Guard(hub.WaitForAsync<TrialCompletion>(), "the completion");
        Assert.False(completion.StoppedEarly);
        var again = hub.Calls.First(c => c.ServerRun == 2 && c.Request is RegisterWorkerRequest);
        var running = Assert.Single(((RegisterWorkerRequest)again.Request).Running);
        Assert.Equal(("t1", 1), (running.TrialId, running.Attempt));
        Assert.True(running.Epoch >= 4, $"listed at epoch {running.Epoch}");

        // Every epoch reported, in order; at least once (the report in flight at the stop may come twice).
        var reports = hub.Calls.Where(c => c.Request is EpochReport).ToList();
        var epochs = reports.Select(c => ((EpochReport)c.Request).Metrics.Epoch).ToList();
        Assert.Equal(Enumerable.Range(1, 12), epochs.Where((e, i) => i == 0 || e != epochs[i - 1]));
        Assert.Contains(reports, c => c.ServerRun == 2 && ((EpochReport)c.Request).Metrics.Epoch == 4);
        Assert.True(reports[^1].Sequence < hub.Calls.Single(c => c.Request is TrialCompletion).Sequence);

        // One uninterrupted run: one start, no resume, every epoch in its records.
        string output = _folder.Output("t1");
        Assert.Equal(12, File.ReadAllLines(Path.Combine(output, "metrics.jsonl")).Length);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "summary.json")));
        Assert.Equal("completed", summary.RootElement.GetProperty("exit_reason").GetString());
        Assert.Single(worker.Output.Split('\n'), l => l.StartsWith("trial t1 attempt 1: rank 0 of 1", StringComparison.Ordinal));
        Assert.DoesNotContain("resuming", worker.Output);
        Assert.Empty(hub.Requests<TrialFailure>());
    }

    [Fact]
    public async Task TwoAgents_TrainOneTrialDataParallelAndBothComplete()
    {
        var hub = new StandInHub();
        await using var server = await StandInHubServer.StartAsync(hub);
        int[] ports = LoopbackPorts.Free(2);
        using var first = Join(server, "w0", ports[0]);
        using var second = Join(server, "w1", ports[1]);
        var endpoints = new List<string>();
        foreach (string id in new[] { "w0", "w1" })
            endpoints.Add((await Hang.Guard(hub.WaitForAsync<RegisterWorkerRequest>(r => r.WorkerId == id), $"{id}'s registration")).PeerEndpoint);
        Assert.Equal([$"127.0.0.1:{ports[0]}", $"127.0.0.1:{ports[1]}"], endpoints);

        for (int rank = 0; rank < 2; rank++)
        {
            var assignment = _folder.Assignment("t1", epochs: 3);
            assignment.Rank = rank;
            assignment.WorldSize = 2;
            assignment.PeerEndpoints.AddRange(endpoints);
            assignment.JobSecret = "attempt-secret-5b1e";
            hub.Start($"w{rank}", assignment);
        }

        var ends = new List<TrialCompletion>();
        foreach (string id in new[] { "w0", "w1" })
            ends.Add(await Hang.Guard(hub.WaitForAsync<TrialCompletion>(c => c.WorkerId == id), $"{id}'s completion"));
        Assert.Equal(Path.Combine(_folder.Output("t1"), "last.ckpt"), ends[0].Checkpoint);
        Assert.Equal("", ends[1].Checkpoint);
        // Rank 0 alone reports epochs, measured on both ranks' shards.
        var reports = hub.Requests<EpochReport>();
        Assert.All(reports, r => Assert.Equal("w0", r.WorkerId));
        Assert.Equal([1, 2, 3], reports.Select(r => r.Metrics.Epoch));
        Assert.All(reports, r => Assert.Equal(2, r.Metrics.WorldSize));
        Assert.Equal(3, CheckpointFile.ReadState(ends[0].Checkpoint).Epoch);

        // Idle agents stop on SIGTERM with the documented code.
        foreach (var worker in new[] { first, second })
        {
            UnixProcesses.Send(worker.Id, UnixProcesses.SigTerm);
            Assert.Equal(RunExitCodes.Interrupted, worker.WaitForExit(Limit));
        }
    }

    private static WorkerProcess Join(StandInHubServer server, string workerId, int peerPort = 29500) =>
        new(new Dictionary<string, string> { ["ASL_WORKER_TOKEN"] = server.Hub.Token },
            "join", "--coordinator", server.Address.ToString(), "--worker-id", workerId, "--advertise-host", "127.0.0.1", "--peer-port", $"{peerPort}");
}
