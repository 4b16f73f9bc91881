using Asl.Distributed.Contracts.V1;
using Grpc.Core;

namespace Asl.Distributed.Coordinator.Tests.Api;

public sealed class ApiValidationTests : IAsyncLifetime
{
    private TestCoordinator _coordinator = null!;

    public async Task InitializeAsync() => _coordinator = await TestCoordinator.Start();

    public async Task DisposeAsync() => await _coordinator.DisposeAsync();

    [Theory]
    [InlineData("", "worker_id")]
    [InlineData("has space", "worker_id")]
    [InlineData("ok-id", "peer_endpoint")]
    public async Task Register_BadField_IsInvalidArgumentNamingIt(string workerId, string field)
    {
        var request = new RegisterWorkerRequest { WorkerId = workerId, Host = "h", PeerEndpoint = "no-port", Capacity = 1 };
        request.Devices.Add("cpu");

        var e = await Assert.ThrowsAsync<RpcException>(() => _coordinator.WorkerClient().RegisterAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.StartsWith(field + ":", e.Status.Detail);
        Assert.Empty((await _coordinator.Client().ListWorkersAsync(new ListWorkersRequest())).Workers);
    }

    [Fact]
    public async Task Register_RuntimeOver256Characters_IsInvalidArgumentNamingIt()
    {
        var request = new RegisterWorkerRequest { WorkerId = "w1", Host = "h", PeerEndpoint = "127.0.0.1:29501", Capacity = 1, Runtime = new string('v', 257) };
        request.Devices.Add("cpu");

        var e = await Assert.ThrowsAsync<RpcException>(() => _coordinator.WorkerClient().RegisterAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("runtime: is 257 characters long; allowed: at most 256", e.Status.Detail);
        Assert.Empty((await _coordinator.Client().ListWorkersAsync(new ListWorkersRequest())).Workers);
    }

    [Fact]
    public async Task Register_WithRuntime_IsListedAsRegistered()
    {
        var request = new RegisterWorkerRequest { WorkerId = "w1", Host = "h", PeerEndpoint = "127.0.0.1:29501", Capacity = 1, Runtime = "TorchSharp 0.107.0.0, libtorch 2.10.0+cu130, CUDA runtime 13.0, driver 13.0" };
        request.Devices.Add("cuda:0: NVIDIA H100 80GB HBM3, 81559 MiB, bfloat16 yes");

        await _coordinator.WorkerClient().RegisterAsync(request);

        var listed = Assert.Single((await _coordinator.Client().ListWorkersAsync(new ListWorkersRequest())).Workers);
        Assert.Equal(request.Runtime, listed.Runtime);
        Assert.Equal(request.Devices, listed.Devices);
    }

    [Fact]
    public async Task ReportEpoch_UnknownTrial_IsFailedPrecondition()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => _coordinator.WorkerClient().ReportEpochAsync(new EpochReport
        {
            WorkerId = "w1",
            TrialId = "nosuch.0000",
            Attempt = 1,
            Metrics = new EpochMetrics { Epoch = 1 },
        }).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Contains("nosuch.0000", e.Status.Detail);
    }

    [Fact]
    public async Task SubmitSweep_SeveralProblems_IsInvalidArgumentListingEach()
    {
        string spec = """
            name: bad sweep
            search_space:
              loss.gama_neg: {grid: [1, 2]}
            algorithm: {kind: grid}
            workers_per_trial: 0
            """;

        var e = await Assert.ThrowsAsync<RpcException>(() => _coordinator.Client().SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = spec }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("name", e.Status.Detail);
        Assert.Contains("loss.gama_neg", e.Status.Detail);
        Assert.Contains("workers_per_trial", e.Status.Detail);
        Assert.Empty((await _coordinator.Client().ListSweepsAsync(new ListSweepsRequest())).Sweeps);
    }

    [Fact]
    public async Task SubmitSweep_MoreWorkersPerTrialThanRegistered_IsFailedPreconditionNamingTheField()
    {
        await using var worker = new SimulatedWorker(_coordinator.WorkerClient(), "w1", 29501);
        await worker.Join();

        var e = await Assert.ThrowsAsync<RpcException>(() => _coordinator.Client()
            .SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = Specs.Grid("wide", 1, workersPerTrial: 2, values: [1]) }).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.StartsWith("workers_per_trial:", e.Status.Detail);
    }

    [Fact]
    public async Task AnyCall_MessageAboveTheLimit_IsRefusedAndTheCoordinatorKeepsServing()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => _coordinator.Client()
            .SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = new string('x', 5 << 20) }).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
        Assert.Contains("allowed: one message of at most 4194304 bytes", e.Status.Detail);
        Assert.Empty((await _coordinator.Client().ListWorkersAsync(new ListWorkersRequest())).Workers);
    }
}
