using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Coordinator.Sweeps;
using Grpc.Core;

namespace Asl.Distributed.Coordinator.Tests.Api;

/// <summary>
/// An ASHA sweep whose coordinator restarts on its folder after rung decisions were made keeps them all. In process
/// (see <see cref="RandomSweepRestartTests"/> for why a clean restart stands for a kill here); the simulated worker
/// reports chosen metrics, so every decision is known in advance.
/// </summary>
public sealed class AshaRestartTests
{
    [Fact]
    public async Task Asha_RestartedAfterRungDecisions_KeepsEveryRecordedResultAndDecisionAndDecidesOnFromThemAll()
    {
        // η 2, grace 1, max 4 epochs: rungs at epochs 1, 2 and 4; the cutoff is the median (NumPy's linear 50th
        // percentile) of the results recorded at the rung before.
        await using var coordinator = await TestCoordinator.Start();
        await using var worker = new SimulatedWorker(coordinator.WorkerClient(), "w1", 29501);
        await worker.Join();
        await coordinator.Client().SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = Specs.Asha("rungs", 4) });

        // Trial 0 is first at every rung: it goes on and completes.
        var t0 = await worker.NextStart();
        foreach (var (epoch, map) in new[] { (1, 60.0), (2, 62.0), (3, 63.0), (4, 64.0) })
            Assert.True((await worker.Report(t0, epoch, map)).Proceed);
        await worker.Complete(t0);
        // Trial 1: 30 at rung 0, below the cutoff median{60} = 60: stopped.
        var t1 = await worker.NextStart();
        var t1Stop = await worker.Report(t1, 1, 30);
        Assert.False(t1Stop.Proceed);
        Assert.Contains("below the cutoff 60", t1Stop.Reason);
        await worker.Complete(t1, stoppedEarly: true);
        // Trial 2: 70 at rung 0, above median{60, 30} = 45: promoted; the coordinator goes down while it trains on.
        var t2 = await worker.NextStart();
        Assert.True((await worker.Report(t2, 1, 70)).Proceed);
        var rungsBefore = (await coordinator.Grains.GetGrain<ISweepGrain>("rungs").Get()).Rungs.ToList();
        Assert.Equal(
            [new RungRecord(0, 0, 60, true), new RungRecord(1, 0, 62, true), new RungRecord(2, 0, 64, true), new RungRecord(0, 1, 30, false), new RungRecord(0, 2, 70, true)],
            rungsBefore);

        await coordinator.Restart();
        worker.Client = coordinator.WorkerClient();
        var answer = await worker.Join(new RunningAttempt { TrialId = t2.TrialId, Attempt = t2.Attempt, Rank = 0, Epoch = 1 });
        Assert.Empty(answer.Stop);

        // Answers given before the restart are given again unchanged: trial 2's epoch 1 goes on, trial 1 stays ended.
        Assert.True((await worker.Report(t2, 1, 70)).Proceed);
        var late = await Assert.ThrowsAsync<RpcException>(() => worker.Report(t1, 1, 30));
        Assert.Equal(StatusCode.FailedPrecondition, late.StatusCode);
        // Trial 2 at rung 1: 65 above median{62} = 62, goes on, and completes.
        foreach (var (epoch, map) in new[] { (2, 65.0), (3, 66.0), (4, 67.0) })
            Assert.True((await worker.Report(t2, epoch, map)).Proceed);
        await worker.Complete(t2);
        // Trial 3: 50 at rung 0 is below median{60, 30, 70} = 60 only if every result recorded before the restart
        // still counts (without trial 2's 70 the cutoff would be 45, without all of them there would be none).
        var t3 = await worker.NextStart();
        var t3Stop = await worker.Report(t3, 1, 50);
        Assert.False(t3Stop.Proceed);
        Assert.Contains("below the cutoff 60", t3Stop.Reason);
        await worker.Complete(t3, stoppedEarly: true);

        var trials = (await coordinator.Client().ListTrialsAsync(new ListTrialsRequest { SweepId = "rungs" })).Trials;
        Assert.Equal([TrialState.Completed, TrialState.Stopped, TrialState.Completed, TrialState.Stopped], trials.Select(t => t.State));
        Assert.Equal([[1, 2, 3, 4], [1], [1, 2, 3, 4], [1]], trials.Select(t => t.Epochs.Select(e => e.Epoch).ToArray()));
        Assert.Equal("stopped after epoch 1", trials[1].EndReason);
        Assert.All(trials, t => Assert.Single(t.Attempts));
        var rungsAfter = (await coordinator.Grains.GetGrain<ISweepGrain>("rungs").Get()).Rungs;
        Assert.Equal(rungsBefore, rungsAfter.Take(rungsBefore.Count));
        Assert.Equal([new RungRecord(1, 2, 65, true), new RungRecord(2, 2, 67, true), new RungRecord(0, 3, 50, false)], rungsAfter.Skip(rungsBefore.Count));
        var sweep = await coordinator.Client().GetSweepAsync(new GetSweepRequest { SweepId = "rungs" });
        Assert.Equal(SweepState.Finished, sweep.State);
        Assert.Equal(10, sweep.TotalEpochs);
    }
}
