using Asl.Distributed.Contracts.V1;
using Grpc.Core;

namespace Asl.Distributed.Coordinator.Tests.Api;

/// <summary>Sweeps driven end to end through the real API by simulated workers.</summary>
public sealed class SweepFlowTests : IAsyncLifetime
{
    private TestCoordinator _coordinator = null!;

    public async Task InitializeAsync() => _coordinator = await TestCoordinator.Start();

    public async Task DisposeAsync() => await _coordinator.DisposeAsync();

    private SweepService.SweepServiceClient Client => _coordinator.Client();

    [Fact]
    public async Task GridSweep_OneWorker_RunsEveryTrialAndFinishesWithTheBestTrial()
    {
        await using var worker = new SimulatedWorker(_coordinator.WorkerClient(), "w1", 29501);
        await worker.Join();
        var submitted = await Client.SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = Specs.Grid("grid", 2, values: [1, 2, 3]) });
        Assert.Equal(3, submitted.TrialCount);
        Assert.False(submitted.Resumed);

        var seen = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            var start = await worker.NextStart();
            seen.Add(start.TrialId);
            Assert.Equal(1, start.Attempt);
            Assert.Equal(0, start.Rank);
            Assert.Equal(1, start.WorldSize);
            Assert.Equal([worker.PeerEndpoint], start.PeerEndpoints);
            Assert.Equal(64, start.JobSecret.Length);
            Assert.Empty(start.ResumeCheckpoint);
            Assert.Contains($"output:\n  dir: {start.OutputDir}", start.ConfigYaml.Replace("'", "", StringComparison.Ordinal));
            // Trial i scores 50 + 10 i at its last epoch: the last trial is best.
            Assert.True((await worker.Report(start, 1, 40)).Proceed);
            Assert.True((await worker.Report(start, 2, 50 + 10 * i)).Proceed);
            await worker.Complete(start);
        }
        Assert.Equal(["grid.0000", "grid.0001", "grid.0002"], seen);

        var events = await WatchToEnd("grid");
        var ended = events[^1].SweepEnded;
        Assert.Equal(SweepState.Finished, ended.State);
        Assert.Equal("grid.0002", ended.BestTrialId);
        Assert.Equal(70, ended.BestMetric);
        Assert.Equal(events.Select(e => e.Sequence), Enumerable.Range(1, events.Count).Select(i => (long)i));
        Assert.Equal(6, events.Count(e => e.KindCase == SweepEvent.KindOneofCase.Epoch));

        var trials = (await Client.ListTrialsAsync(new ListTrialsRequest { SweepId = "grid" })).Trials;
        Assert.All(trials, t => Assert.Equal(TrialState.Completed, t.State));
        Assert.Equal(["1", "2", "3"], trials.Select(t => t.Settings["loss.gamma_neg"]));
        Assert.All(trials, t => Assert.Equal([1, 2], t.Epochs.Select(e => e.Epoch)));
        var sweep = await Client.GetSweepAsync(new GetSweepRequest { SweepId = "grid" });
        Assert.Equal(6, sweep.TotalEpochs);
        Assert.Equal(3, sweep.TrialsByState[(int)TrialState.Completed]);
    }

    [Fact]
    public async Task Asha_ResultBelowTheRungCutoff_IsToldToStopAndEndsStopped()
    {
        await using var worker = new SimulatedWorker(_coordinator.WorkerClient(), "w1", 29501);
        await worker.Join();
        await Client.SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = Specs.Asha("asha", 2) });

        // The first result at rung 0 (epoch 1) always goes on; η = 2 puts the cutoff at the median of what was recorded before.
        var first = await worker.NextStart();
        Assert.True((await worker.Report(first, 1, 60)).Proceed);
        Assert.True((await worker.Report(first, 2, 62)).Proceed);
        Assert.True((await worker.Report(first, 3, 63)).Proceed);
        Assert.True((await worker.Report(first, 4, 64)).Proceed);
        await worker.Complete(first);

        var second = await worker.NextStart();
        var answer = await worker.Report(second, 1, 30);
        Assert.False(answer.Proceed);
        Assert.Contains("ASHA", answer.Reason);
        await worker.Complete(second, stoppedEarly: true);

        var trials = (await Client.ListTrialsAsync(new ListTrialsRequest { SweepId = "asha" })).Trials;
        Assert.Equal([TrialState.Completed, TrialState.Stopped], trials.Select(t => t.State));
        Assert.Equal(5, (await Client.GetSweepAsync(new GetSweepRequest { SweepId = "asha" })).TotalEpochs);
    }

    [Fact]
    public async Task EpochReport_DeliveredTwice_GetsTheSameAnswerAndIsRecordedOnce()
    {
        await using var worker = new SimulatedWorker(_coordinator.WorkerClient(), "w1", 29501);
        await worker.Join();
        await Client.SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = Specs.Asha("twice", 2) });
        var first = await worker.NextStart();
        await worker.Report(first, 1, 60);
        await worker.Complete(first, stoppedEarly: false);
        var second = await worker.NextStart();

        var answer = await worker.Report(second, 1, 30);
        var again = await worker.Report(second, 1, 30);

        Assert.False(answer.Proceed);
        Assert.False(again.Proceed);
        var trial = (await Client.ListTrialsAsync(new ListTrialsRequest { SweepId = "twice" })).Trials[1];
        Assert.Single(trial.Epochs);
    }

    [Fact]
    public async Task FailedAttempt_IsRetriedFromItsCheckpointUntilMaxFailuresThenFailedAndTheSweepGoesOn()
    {
        await using var worker = new SimulatedWorker(_coordinator.WorkerClient(), "w1", 29501);
        await worker.Join();
        await Client.SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = Specs.Grid("retry", 3, maxFailures: 1, values: [1, 2]) });

        var first = await worker.NextStart();
        await worker.Report(first, 1, 40, checkpoint: "/ckpt/epoch1");
        await worker.Fail(first, FailureKind.Error, "rank 0 lost its peer");

        var retry = await worker.NextStart();
        Assert.Equal(first.TrialId, retry.TrialId);
        Assert.Equal(2, retry.Attempt);
        Assert.Equal("/ckpt/epoch1", retry.ResumeCheckpoint);
        Assert.NotEqual(first.JobSecret, retry.JobSecret);
        await worker.Fail(retry, FailureKind.Error, "non-finite loss at epoch 2, batch 3");

        var next = await worker.NextStart();
        Assert.Equal("retry.0001", next.TrialId);
        var failed = (await Client.ListTrialsAsync(new ListTrialsRequest { SweepId = "retry" })).Trials[0];
        Assert.Equal(TrialState.Failed, failed.State);
        Assert.Contains("non-finite loss", failed.EndReason);
        Assert.Equal(2, failed.Attempts.Count);
        Assert.All(failed.Attempts, a => Assert.True(a.CountedAsFailure));
        Assert.Equal(1, failed.Attempts[1].ResumedFromEpoch);
    }

    [Fact]
    public async Task ReleasedAttempt_IsRequeuedWithoutCountingAFailure()
    {
        await using var worker = new SimulatedWorker(_coordinator.WorkerClient(), "w1", 29501);
        await worker.Join();
        await Client.SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = Specs.Grid("released", 2, maxFailures: 0, values: [1]) });

        var first = await worker.NextStart();
        await worker.Report(first, 1, 40);
        await worker.Fail(first, FailureKind.Released, "the agent received SIGTERM");
        var again = await worker.NextStart();

        Assert.Equal(2, again.Attempt);
        var trial = (await Client.ListTrialsAsync(new ListTrialsRequest { SweepId = "released" })).Trials[0];
        Assert.False(trial.Attempts[0].CountedAsFailure);
        Assert.Equal(TrialState.Scheduled, trial.State);
    }

    [Fact]
    public async Task StaleAttemptReport_IsFailedPreconditionAndChangesNothing()
    {
        await using var worker = new SimulatedWorker(_coordinator.WorkerClient(), "w1", 29501);
        await worker.Join();
        await Client.SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = Specs.Grid("stale", 2, values: [1]) });
        var first = await worker.NextStart();
        await worker.Fail(first, FailureKind.Released, "stopping");
        await worker.NextStart();

        var e = await Assert.ThrowsAsync<RpcException>(() => worker.Report(first, 1, 99));

        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        var trial = (await Client.ListTrialsAsync(new ListTrialsRequest { SweepId = "stale" })).Trials[0];
        Assert.Empty(trial.Epochs);
    }

    [Fact]
    public async Task CancelSweep_StopsTheRunningTrialAndDropsThePendingOnes()
    {
        await using var worker = new SimulatedWorker(_coordinator.WorkerClient(), "w1", 29501);
        await worker.Join();
        await Client.SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = Specs.Grid("cancel", 5, values: [1, 2, 3]) });
        var running = await worker.NextStart();
        await worker.Report(running, 1, 40);

        var cancelled = await Client.CancelSweepAsync(new CancelSweepRequest { SweepId = "cancel" });
        var stop = await worker.NextStop();

        Assert.Equal(3, cancelled.AffectedTrials);
        Assert.Equal(running.TrialId, stop.TrialId);
        var events = await WatchToEnd("cancel");
        Assert.Equal(SweepState.Cancelled, events[^1].SweepEnded.State);
        var trials = (await Client.ListTrialsAsync(new ListTrialsRequest { SweepId = "cancel" })).Trials;
        Assert.All(trials, t => Assert.Equal(TrialState.Cancelled, t.State));
        Assert.Empty((await Client.ListWorkersAsync(new ListWorkersRequest())).Workers[0].RunningTrials);
        var late = await Assert.ThrowsAsync<RpcException>(() => worker.Report(running, 2, 50));
        Assert.Equal(StatusCode.FailedPrecondition, late.StatusCode);
    }

    [Fact]
    public async Task Submit_SameSpecAgain_ResumesAndADifferentSpecUnderTheNameIsRefused()
    {
        await using var worker = new SimulatedWorker(_coordinator.WorkerClient(), "w1", 29501);
        await worker.Join();
        await Client.SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = Specs.Grid("again", 2, values: [1, 2]) });

        var resumed = await Client.SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = Specs.Grid("again", 2, values: [1, 2]) });
        var e = await Assert.ThrowsAsync<RpcException>(() =>
            Client.SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = Specs.Grid("again", 3, values: [1, 2]) }).ResponseAsync);

        Assert.True(resumed.Resumed);
        Assert.Equal(StatusCode.AlreadyExists, e.StatusCode);
        Assert.Single((await Client.ListSweepsAsync(new ListSweepsRequest())).Sweeps);
    }

    private async Task<List<SweepEvent>> WatchToEnd(string sweepId, long after = 0)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var call = Client.WatchSweep(new WatchSweepRequest { SweepId = sweepId, AfterSequence = after }, cancellationToken: guard.Token);
        var events = new List<SweepEvent>();
        await foreach (var e in call.ResponseStream.ReadAllAsync(guard.Token))
            events.Add(e);
        return events;
    }
}
