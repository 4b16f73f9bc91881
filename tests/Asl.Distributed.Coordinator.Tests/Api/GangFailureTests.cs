using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Runs;

namespace Asl.Distributed.Coordinator.Tests.Api;

/// <summary>Two-worker trials whose gang breaks: who is to blame decides whether a failure is counted.</summary>
public sealed class GangFailureTests
{
    private static string Spec(string name, int maxFailures) => Specs.Grid(name, 3, workersPerTrial: 2, maxFailures: maxFailures, values: [1]);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task OneRankReleased_OtherRankLostItsPeer_RequeuedWithoutCountingAFailure(bool peerLossArrivesFirst)
    {
        await using var coordinator = await TestCoordinator.Start();
        await using var w0 = new SimulatedWorker(coordinator.WorkerClient(), "w0", 29501);
        await using var w1 = new SimulatedWorker(coordinator.WorkerClient(), "w1", 29502);
        await w0.Join();
        await w1.Join();
        await coordinator.Client().SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = Spec("sigterm", maxFailures: 0) });
        var rank0 = await w0.NextStart();
        var rank1 = await w1.NextStart();
        Assert.Equal([w0.PeerEndpoint, w1.PeerEndpoint], rank0.PeerEndpoints.OrderBy(e => e));
        var (released, survivor) = rank0.Rank == 0 ? ((w0, rank0), (w1, rank1)) : ((w1, rank1), (w0, rank0));

        if (peerLossArrivesFirst)
        {
            await survivor.Item1.Fail(survivor.Item2, FailureKind.Error, "rank 0 was lost", RunExitCodes.PeerLost);
            await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => released.Item1.Fail(released.Item2, FailureKind.Released, "SIGTERM"));
        }
        else
        {
            await released.Item1.Fail(released.Item2, FailureKind.Released, "SIGTERM");
            await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => survivor.Item1.Fail(survivor.Item2, FailureKind.Error, "rank 0 was lost", RunExitCodes.PeerLost));
        }
        var again = await w0.NextStart();

        Assert.Equal(2, again.Attempt);
        var trial = (await coordinator.Client().ListTrialsAsync(new ListTrialsRequest { SweepId = "sigterm" })).Trials[0];
        Assert.NotEqual(TrialState.Failed, trial.State);
        Assert.False(trial.Attempts[0].CountedAsFailure);
    }

    [Fact]
    public async Task RankKilled_SurvivorReportsPeerLost_TrialRequeuedAndTheKilledWorkersSilenceCountsTheFailure()
    {
        await using var coordinator = await TestCoordinator.Start(heartbeatTimeout: TimeSpan.FromSeconds(2));
        await using var w0 = new SimulatedWorker(coordinator.WorkerClient(), "w0", 29501);
        await using var w1 = new SimulatedWorker(coordinator.WorkerClient(), "w1", 29502);
        await w0.Join();
        await w1.Join();
        w0.StartHeartbeats(TimeSpan.FromMilliseconds(200));
        w1.StartHeartbeats(TimeSpan.FromMilliseconds(200));
        await coordinator.Client().SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = Spec("killed", maxFailures: 0) });
        var first0 = await w0.NextStart();
        var first1 = await w1.NextStart();

        // w1 dies without a word; w0's trainer sees the broken ring.
        await w1.Vanish();
        await w0.Fail(first0, FailureKind.Error, "rank 1 was lost", RunExitCodes.PeerLost);

        // Re-queued uncounted at once (the next attempt may even get w1 again, which still looks alive); when w1's
        // heartbeats lapse its failure is counted once: with max_failures_per_trial 0 the trial fails.
        var events = await Watch(coordinator, "killed", TrialState.Failed);
        var trial = (await coordinator.Client().ListTrialsAsync(new ListTrialsRequest { SweepId = "killed" })).Trials[0];
        Assert.Equal(TrialState.Failed, trial.State);
        Assert.False(trial.Attempts[0].CountedAsFailure);
        Assert.Equal(1, trial.Attempts.Count(a => a.CountedAsFailure));
        Assert.Contains("w1 sent no heartbeat", trial.EndReason);
        Assert.Contains(events, e => e.StateChanged?.State == TrialState.Pending);
        Assert.Equal(first1.TrialId, trial.TrialId);
    }

    [Fact]
    public async Task RankFailed_ItsReportArrivesAfterItsPeersPeerLost_TheFailureIsStillCounted()
    {
        await using var coordinator = await TestCoordinator.Start();
        await using var w0 = new SimulatedWorker(coordinator.WorkerClient(), "w0", 29501);
        await using var w1 = new SimulatedWorker(coordinator.WorkerClient(), "w1", 29502);
        await w0.Join();
        await w1.Join();
        await coordinator.Client().SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = Spec("late", maxFailures: 0) });
        var a0 = await w0.NextStart();
        var a1 = await w1.NextStart();

        await w1.Fail(a1, FailureKind.Error, "rank 0 was lost", RunExitCodes.PeerLost);
        await w0.Fail(a0, FailureKind.Error, "non-finite loss at epoch 1, batch 2");

        var trial = (await coordinator.Client().ListTrialsAsync(new ListTrialsRequest { SweepId = "late" })).Trials[0];
        Assert.Equal(TrialState.Failed, trial.State);
        Assert.True(trial.Attempts[0].CountedAsFailure);
        Assert.Contains("non-finite loss", trial.EndReason);
    }

    private static async Task<List<SweepEvent>> Watch(TestCoordinator coordinator, string sweepId, TrialState until)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var call = coordinator.Client().WatchSweep(new WatchSweepRequest { SweepId = sweepId }, cancellationToken: guard.Token);
        var events = new List<SweepEvent>();
        while (await call.ResponseStream.MoveNext(guard.Token))
        {
            events.Add(call.ResponseStream.Current);
            if (call.ResponseStream.Current.StateChanged?.State == until)
                return events;
        }
        return events;
    }
}
