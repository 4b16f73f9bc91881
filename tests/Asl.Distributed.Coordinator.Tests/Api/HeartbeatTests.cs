using Asl.Distributed.Contracts.V1;

namespace Asl.Distributed.Coordinator.Tests.Api;

/// <summary>Heartbeats through the real API: answered for registered workers only, and recorded as the last one.</summary>
public sealed class HeartbeatTests
{
    [Fact]
    public async Task Heartbeat_BeforeAndAfterRegistering_IsUnknownThenKnownAndRecorded()
    {
        await using var coordinator = await TestCoordinator.Start();
        var client = coordinator.WorkerClient();
        Assert.False((await client.HeartbeatAsync(new HeartbeatRequest { WorkerId = "w1" })).Known);

        await using var worker = new SimulatedWorker(client, "w1", 29501);
        await worker.Register();
        var before = DateTimeOffset.UtcNow;
        Assert.True((await client.HeartbeatAsync(new HeartbeatRequest { WorkerId = "w1" })).Known);

        var listed = (await coordinator.Client().ListWorkersAsync(new ListWorkersRequest())).Workers.Single();
        Assert.True(listed.LastHeartbeat.ToDateTimeOffset() >= before, $"last heartbeat {listed.LastHeartbeat} is before the heartbeat was sent ({before:O})");
        Assert.True(listed.Registered.ToDateTimeOffset() < before);
    }

    [Fact]
    public async Task Heartbeat_WorkerDroppedForSilence_IsUnknownUntilItRegistersAgain()
    {
        await using var coordinator = await TestCoordinator.Start(heartbeatTimeout: TimeSpan.FromSeconds(1));
        var client = coordinator.WorkerClient();
        await using var worker = new SimulatedWorker(client, "quiet", 29501);
        await worker.Register();
        using var orders = client.Assignments(new AssignmentsRequest { WorkerId = "quiet" });

        // Dropping a worker closes its order stream: the event to wait on.
        Assert.False(await orders.ResponseStream.MoveNext(CancellationToken.None));
        Assert.False((await client.HeartbeatAsync(new HeartbeatRequest { WorkerId = "quiet" })).Known);
        Assert.Empty((await coordinator.Client().ListWorkersAsync(new ListWorkersRequest())).Workers);

        await worker.Register();
        Assert.True((await client.HeartbeatAsync(new HeartbeatRequest { WorkerId = "quiet" })).Known);
    }
}
