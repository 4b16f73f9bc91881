using Asl.Distributed.Contracts.V1;

namespace Asl.Distributed.Coordinator.Tests.Api;

/// <summary>A worker whose agent is stopping drains: it gets no new attempts until it registers again.</summary>
public sealed class WorkerDrainTests
{
    [Fact]
    public async Task Drain_ThenTheWorkerReleasesItsTrial_TheTrialWaitsForAnotherWorkerInsteadOfComingBack()
    {
        await using var coordinator = await TestCoordinator.Start();
        await using var worker = new SimulatedWorker(coordinator.WorkerClient(), "w1", 29501);
        await worker.Join();
        await coordinator.Client().SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = Specs.Grid("drain", 2, values: [1]) });
        var start = await worker.NextStart();

        Assert.True((await worker.Client.DrainAsync(new DrainRequest { WorkerId = "w1" })).Known);
        // The release re-queues the trial and runs the scheduler before it is answered.
        await worker.Fail(start, FailureKind.Released, "the agent received SIGTERM");

        Assert.Empty((await coordinator.Client().ListWorkersAsync(new ListWorkersRequest())).Workers.Single().RunningTrials);
        await using var other = new SimulatedWorker(coordinator.WorkerClient(), "w2", 29502);
        await other.Join();
        var again = await other.NextStart();
        Assert.Equal((start.TrialId, 2), (again.TrialId, again.Attempt));
        var trial = (await coordinator.Client().ListTrialsAsync(new ListTrialsRequest { SweepId = "drain" })).Trials.Single();
        Assert.False(trial.Attempts[0].CountedAsFailure);
    }

    [Fact]
    public async Task Register_AfterDrain_TheWorkerTakesWorkAgain()
    {
        await using var coordinator = await TestCoordinator.Start();
        await using var worker = new SimulatedWorker(coordinator.WorkerClient(), "w1", 29501);
        await worker.Join();
        await worker.Client.DrainAsync(new DrainRequest { WorkerId = "w1" });
        await coordinator.Client().SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = Specs.Grid("back", 2, values: [1]) });
        Assert.Empty((await coordinator.Client().ListWorkersAsync(new ListWorkersRequest())).Workers.Single().RunningTrials);

        // An agent started again under the same id registers: it is available again.
        await worker.Register();
        var start = await worker.NextStart();

        Assert.Equal(("back.0000", 1), (start.TrialId, start.Attempt));
    }

    [Fact]
    public async Task Drain_UnknownWorker_IsAnsweredNotKnown()
    {
        await using var coordinator = await TestCoordinator.Start();

        var reply = await coordinator.WorkerClient().DrainAsync(new DrainRequest { WorkerId = "nobody" });

        Assert.False(reply.Known);
    }
}
