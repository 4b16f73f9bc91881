using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Coordinator.Tests.Storage;
using Microsoft.Data.Sqlite;

namespace Asl.Distributed.Coordinator.Tests.Api;

/// <summary>
/// How often the worker registry writes its record, which holds every worker and so costs in proportion to their
/// number: a trial's end that hands the freed worker the next queued trial is one write (the record's version in the
/// store rises by one per write).
/// </summary>
public sealed class RegistryWriteTests
{
    [Fact]
    public async Task Complete_FreedWorkerTakesTheQueuedTrial_InOneRegistryWrite()
    {
        await using var coordinator = await TestCoordinator.Start();
        await using var worker = new SimulatedWorker(coordinator.WorkerClient(), "w1", 29501);
        await worker.Join();
        // Both trials are created (and the second queued) before the submission is answered.
        await coordinator.Client().SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = Specs.Grid("writes", 1, values: [1, 2]) });
        var first = await worker.NextStart();
        await worker.Report(first, 1, 40);
        long before = RegistryVersion(coordinator);

        // Answered after the trial's end has reached the registry (the release is awaited).
        await worker.Complete(first);
        var second = await worker.NextStart();

        Assert.Equal("writes.0001", second.TrialId);
        Assert.Equal(before + 1, RegistryVersion(coordinator));
    }

    private static long RegistryVersion(TestCoordinator coordinator)
    {
        using var connection = Stores.Raw(Path.Combine(coordinator.Directory, "coordinator.db"), SqliteOpenMode.ReadOnly);
        return (long)Stores.Scalar(connection, "SELECT version FROM grain_state WHERE state_name = 'registry'")!;
    }
}
