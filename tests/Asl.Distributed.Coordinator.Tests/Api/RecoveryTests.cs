using Asl.Distributed.Contracts.V1;

namespace Asl.Distributed.Coordinator.Tests.Api;

/// <summary>Lost workers and restarted coordinators, through the real API and store.</summary>
public sealed class RecoveryTests
{
    [Fact]
    public async Task SilentWorker_IsDroppedAfterTheTimeoutAndItsTrialRunsAgainOnAnotherWorker()
    {
        await using var coordinator = await TestCoordinator.Start(heartbeatTimeout: TimeSpan.FromSeconds(2));
        await using var doomed = new SimulatedWorker(coordinator.WorkerClient(), "doomed", 29501);
        await doomed.Join();
        doomed.StartHeartbeats(TimeSpan.FromMilliseconds(200));
        await coordinator.Client().SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = Specs.Grid("lost", 2, values: [1]) });
        var first = await doomed.NextStart();
        await doomed.Report(first, 1, 40, checkpoint: "/ckpt/1");

        await using var survivor = new SimulatedWorker(coordinator.WorkerClient(), "survivor", 29502);
        await survivor.Join();
        survivor.StartHeartbeats(TimeSpan.FromMilliseconds(200));
        await doomed.Vanish();
        var retry = await survivor.NextStart();

        Assert.Equal(first.TrialId, retry.TrialId);
        Assert.Equal(2, retry.Attempt);
        Assert.Equal("/ckpt/1", retry.ResumeCheckpoint);
        var trial = (await coordinator.Client().ListTrialsAsync(new ListTrialsRequest { SweepId = "lost" })).Trials[0];
        Assert.Contains("doomed sent no heartbeat", trial.Attempts[0].EndReason);
        Assert.Equal(["survivor"], (await coordinator.Client().ListWorkersAsync(new ListWorkersRequest())).Workers.Select(w => w.WorkerId));
    }

    [Fact]
    public async Task CoordinatorRestart_KeepsTheSweepAndTheRunningWorkerGoesOnWhereItWas()
    {
        await using var coordinator = await TestCoordinator.Start();
        await using var worker = new SimulatedWorker(coordinator.WorkerClient(), "w1", 29501);
        await worker.Join();
        await coordinator.Client().SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = Specs.Grid("restart", 2, values: [1, 2]) });
        var start = await worker.NextStart();
        await worker.Report(start, 1, 40, checkpoint: "/ckpt/1");

        await coordinator.Restart();
        worker.Client = coordinator.WorkerClient();
        var answer = await worker.Join(new RunningAttempt { TrialId = start.TrialId, Attempt = start.Attempt, Rank = 0, Epoch = 1 });
        Assert.Empty(answer.Stop);
        Assert.True((await worker.Report(start, 2, 55)).Proceed);
        await worker.Complete(start);
        var second = await worker.NextStart();
        await worker.Report(second, 1, 30);
        await worker.Report(second, 2, 35);
        await worker.Complete(second);

        var trials = (await coordinator.Client().ListTrialsAsync(new ListTrialsRequest { SweepId = "restart" })).Trials;
        Assert.All(trials, t => Assert.Equal(TrialState.Completed, t.State));
        Assert.Equal([1, 2], trials[0].Epochs.Select(e => e.Epoch));
        Assert.Single(trials[0].Attempts);
        var sweep = await coordinator.Client().GetSweepAsync(new GetSweepRequest { SweepId = "restart" });
        Assert.Equal(SweepState.Finished, sweep.State);
        Assert.Equal("restart.0000", sweep.BestTrialId);
    }

    [Fact]
    public async Task CoordinatorRestart_StartOrderNeverRead_IsSentAgainWhenTheWorkerRegisters()
    {
        await using var coordinator = await TestCoordinator.Start();
        await using var worker = new SimulatedWorker(coordinator.WorkerClient(), "w1", 29501);
        await worker.Register();
        await coordinator.Client().SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = Specs.Grid("lostorder", 1, values: [1]) });
        // The order waits in the old process's memory and dies with it.
        await WaitForState(coordinator, "lostorder", TrialState.Scheduled);

        await coordinator.Restart();
        worker.Client = coordinator.WorkerClient();
        await worker.Join();
        var start = await worker.NextStart();

        Assert.Equal("lostorder.0000", start.TrialId);
        Assert.Equal(1, start.Attempt);
    }

    [Fact]
    public async Task CoordinatorRestart_WorkerRunsAnAttemptThatEndedMeanwhile_IsToldToStopIt()
    {
        await using var coordinator = await TestCoordinator.Start();
        await using var worker = new SimulatedWorker(coordinator.WorkerClient(), "w1", 29501);
        await worker.Join();
        await coordinator.Client().SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = Specs.Grid("ended", 3, values: [1]) });
        var start = await worker.NextStart();
        await coordinator.Client().CancelSweepAsync(new CancelSweepRequest { SweepId = "ended" });
        // The sweep tells its trials without waiting for them; the trial's own event says it has ended.
        await WaitForState(coordinator, "ended", TrialState.Cancelled);

        await coordinator.Restart();
        worker.Client = coordinator.WorkerClient();
        var answer = await worker.Join(new RunningAttempt { TrialId = start.TrialId, Attempt = start.Attempt, Rank = 0 });

        Assert.Equal(start.TrialId, Assert.Single(answer.Stop).TrialId);
    }

    /// <summary>Follows the sweep's events until trial 0 reaches <paramref name="state"/>.</summary>
    private static async Task WaitForState(TestCoordinator coordinator, string sweepId, TrialState state)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var call = coordinator.Client().WatchSweep(new WatchSweepRequest { SweepId = sweepId }, cancellationToken: guard.Token);
        while (await call.ResponseStream.MoveNext(guard.Token))
        {
            if (call.ResponseStream.Current.StateChanged?.State == state)
                return;
        }
        throw new InvalidOperationException($"the events of {sweepId} ended before a trial was {state}");
    }
}
