using Asl.Distributed.Contracts.V1;

namespace Asl.Distributed.Coordinator.Tests.EndToEnd;

/// <summary>A data-parallel trial on two real agents, one of which is killed with SIGKILL mid-trial.</summary>
public sealed class WorkerKillTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("asl-worker-kill-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task RankKilledMidTrial_TrialRunsAgainFromItsCheckpointOnFreeWorkersAndNoEpochRunsTwice()
    {
        using var coordinator = new ServedCoordinator(_folder, heartbeatTimeoutSeconds: 3);
        await coordinator.Start();
        // Rank 1 of the baseline's (trial 0's) first attempt stops at the end of epoch 1 until it is killed, so the
        // kill certainly lands mid-trial: rank 0 has written epoch 1's checkpoint and waits for rank 1 in the next
        // collective.
        string signal = Path.Combine(_folder, "rank-1-held");
        var hold = new Dictionary<string, string> { ["ASL_TEST_HOLD_AFTER_EPOCH"] = $"gang.0000 1 1 1 {signal}" };
        var agents = new Dictionary<string, RunningProcess>();
        foreach (string id in new[] { "w0", "w1", "w2" })
            agents[id] = await coordinator.StartAgent(id, hold);
        string spec = EndToEndSpecs.Tiny("gang", 8, 2) + "\nworkers_per_trial: 2\n";
        spec = spec.Replace("run: {batch_size: 16, threads: 1, loader_workers: 1}", "run: {batch_size: 16, threads: 1, loader_workers: 1}\n  distributed: {rendezvous_timeout_s: 5, timeout_s: 5}", StringComparison.Ordinal);
        await coordinator.Client.SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = spec });

        // Whichever agent is rank 1 dies without a word while it is held.
        var trial = await coordinator.HeldTrial("gang.0000", signal, agents.Values);
        string victim = trial.Attempts[0].WorkerIds[1];
        agents[victim].Process.Kill();
        await coordinator.Until("gang", e => e.KindCase == SweepEvent.KindOneofCase.SweepEnded);

        var trials = (await coordinator.Client.ListTrialsAsync(new ListTrialsRequest { SweepId = "gang" })).Trials;
        Assert.All(trials, t => Assert.Equal(TrialState.Completed, t.State));
        var broken = trials.Single(t => t.TrialId == trial.TrialId);
        Assert.True(broken.Attempts.Count >= 2, $"{broken.Attempts.Count} attempt(s)");
        Assert.Equal(Enumerable.Range(1, 8), broken.Epochs.Select(e => e.Epoch));
        // The last attempt resumed from a checkpoint, not from scratch, and ran on live workers only.
        var last = broken.Attempts[^1];
        Assert.True(last.ResumedFromEpoch >= 1, $"resumed from epoch {last.ResumedFromEpoch}");
        Assert.DoesNotContain(victim, last.WorkerIds);
        // The trainer's own record: every epoch once (a resumed run appends after its checkpoint's epoch).
        var lines = File.ReadAllLines(Path.Combine(coordinator.Directory, "trials", "gang", broken.TrialId, "metrics.jsonl"));
        Assert.Equal(Enumerable.Range(1, 8), lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("epoch").GetInt32()));
        Assert.All(trials, t => Assert.Equal(2, t.Attempts[^1].WorkerIds.Count));
    }
}
