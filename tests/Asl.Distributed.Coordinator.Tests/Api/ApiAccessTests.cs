using Asl.Distributed.Contracts.V1;
using Grpc.Core;
using Grpc.Health.V1;

namespace Asl.Distributed.Coordinator.Tests.Api;

public sealed class ApiAccessTests : IAsyncLifetime
{
    private TestCoordinator _coordinator = null!;

    public async Task InitializeAsync() => _coordinator = await TestCoordinator.Start();

    public async Task DisposeAsync() => await _coordinator.DisposeAsync();

    [Fact]
    public async Task ClientCall_WithoutToken_IsUnauthenticated()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => new SweepService.SweepServiceClient(_coordinator.Channel(null)).ListWorkersAsync(new ListWorkersRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
    }

    [Fact]
    public async Task WorkerCall_WithWrongToken_IsUnauthenticated()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() =>
            _coordinator.WorkerClient("not-the-token-0123456789").HeartbeatAsync(new HeartbeatRequest { WorkerId = "w" }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
    }

    [Fact]
    public async Task ClientMethod_WithWorkerToken_IsPermissionDenied()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() =>
            _coordinator.Client(TestCoordinator.Tokens.WorkerToken).ListWorkersAsync(new ListWorkersRequest()).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
    }

    [Fact]
    public async Task WorkerMethod_WithClientToken_IsPermissionDenied()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() =>
            _coordinator.WorkerClient(TestCoordinator.Tokens.ClientToken).HeartbeatAsync(new HeartbeatRequest { WorkerId = "w" }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
    }

    [Fact]
    public async Task HealthCheck_WithoutToken_Answers()
    {
        var health = new Health.HealthClient(_coordinator.Channel(null));
        var reply = await health.CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }
}
