using System.Text.Json;
using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Runs;

namespace Asl.Distributed.Coordinator.Tests.EndToEnd;

/// <summary>A data-parallel trial on two of three real agents, one of which is stopped with SIGTERM mid-trial.</summary>
public sealed class WorkerTerminateTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("asl-worker-term-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task RankAgentSigtermedMidTrial_TrialRequeuedFromItsCheckpointWithoutAFailureAndCompletesOnTheOtherWorkers()
    {
        using var coordinator = new ServedCoordinator(_folder, heartbeatTimeoutSeconds: 3);
        await coordinator.Start();
        // Rank 1 of the baseline's (trial 0's) first attempt waits at the end of epoch 1 until its agent stops it, so
        // the SIGTERM certainly lands mid-trial.
        string signal = Path.Combine(_folder, "rank-1-held");
        var hold = new Dictionary<string, string> { ["ASL_TEST_HOLD_AFTER_EPOCH"] = $"released.0000 1 1 1 {signal}" };
        var agents = new Dictionary<string, RunningProcess>();
        foreach (string id in new[] { "w0", "w1", "w2" })
            agents[id] = await coordinator.StartAgent(id, hold);
        string spec = EndToEndSpecs.Tiny("released", 6, 2) + "\nworkers_per_trial: 2\nmax_failures_per_trial: 0\n";
        spec = spec.Replace("run: {batch_size: 16, threads: 1, loader_workers: 1}", "run: {batch_size: 16, threads: 1, loader_workers: 1}\n  distributed: {rendezvous_timeout_s: 5, timeout_s: 5}", StringComparison.Ordinal);
        await coordinator.Client.SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = spec });

        // The agent of that rank 1 is told to stop.
        var trial = await coordinator.HeldTrial("released.0000", signal, agents.Values);
        string leaving = trial.Attempts[0].WorkerIds[1];
        agents[leaving].Terminate();
        Assert.Equal(RunExitCodes.Interrupted, await agents[leaving].WaitForExit());
        await coordinator.Until("released", e => e.KindCase == SweepEvent.KindOneofCase.SweepEnded);

        var trials = (await coordinator.Client.ListTrialsAsync(new ListTrialsRequest { SweepId = "released" })).Trials;
        // max_failures_per_trial 0: one counted failure would have failed the trial.
        Assert.All(trials, t => Assert.Equal(TrialState.Completed, t.State));
        Assert.All(trials, t => Assert.DoesNotContain(t.Attempts, a => a.CountedAsFailure));
        var interrupted = trials.Single(t => t.TrialId == trial.TrialId);
        Assert.True(interrupted.Attempts.Count >= 2, $"{interrupted.Attempts.Count} attempt(s)");
        Assert.Equal(Enumerable.Range(1, 6), interrupted.Epochs.Select(e => e.Epoch));
        // The last attempt resumed from a checkpoint, not from scratch, and ran without the agent that left.
        var last = interrupted.Attempts[^1];
        Assert.True(last.ResumedFromEpoch >= 1, $"resumed from epoch {last.ResumedFromEpoch}");
        Assert.DoesNotContain(leaving, last.WorkerIds);
        Assert.Equal(2, last.WorkerIds.Count);
        // The trainer's own record: every epoch once (a resumed run appends after its checkpoint's epoch).
        var lines = File.ReadAllLines(Path.Combine(coordinator.Directory, "trials", "released", interrupted.TrialId, "metrics.jsonl"));
        Assert.Equal(Enumerable.Range(1, 6), lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("epoch").GetInt32()));
    }
}
