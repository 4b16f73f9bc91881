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

    [Fact]
    public async Task Heartbeats_StreamBeforeRegistering_IsAnsweredUnknownOnceAndEnds()
    {
        await using var coordinator = await TestCoordinator.Start();
        using var call = coordinator.WorkerClient().Heartbeats();

        await call.RequestStream.WriteAsync(new HeartbeatRequest { WorkerId = "stranger" });

        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.False(call.ResponseStream.Current.Known);
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
    }

    [Fact]
    public async Task Heartbeats_StreamOfARegisteredWorker_RecordsEachMessageWithoutAnAnswer()
    {
        await using var coordinator = await TestCoordinator.Start();
        var client = coordinator.WorkerClient();
        await using var worker = new SimulatedWorker(client, "w1", 29501);
        await worker.Register();
        using var call = client.Heartbeats();
        var before = DateTimeOffset.UtcNow;

        await call.RequestStream.WriteAsync(new HeartbeatRequest { WorkerId = "w1" });
        await call.RequestStream.WriteAsync(new HeartbeatRequest { WorkerId = "w1" });
        await call.RequestStream.CompleteAsync();

        // The coordinator reads the messages in order and ends the call after the last: no answer for a known worker.
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
        var listed = (await coordinator.Client().ListWorkersAsync(new ListWorkersRequest())).Workers.Single();
        Assert.True(listed.LastHeartbeat.ToDateTimeOffset() >= before, $"last heartbeat {listed.LastHeartbeat} is before the heartbeats were sent ({before:O})");
    }

    [Fact]
    public async Task Heartbeats_AnotherWorkerOnTheSameStream_FailsInvalidArgumentNamingTheField()
    {
        await using var coordinator = await TestCoordinator.Start();
        var client = coordinator.WorkerClient();
        await using var worker = new SimulatedWorker(client, "w1", 29501);
        await worker.Register();
        using var call = client.Heartbeats();

        await call.RequestStream.WriteAsync(new HeartbeatRequest { WorkerId = "w1" });
        await call.RequestStream.WriteAsync(new HeartbeatRequest { WorkerId = "w2" });

        var e = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("worker_id", e.Status.Detail, StringComparison.Ordinal);
    }
}
