using System.Threading.Channels;
using Asl.Distributed.Contracts.V1;
using Grpc.Core;

namespace Asl.Distributed.Coordinator.Tests.Api;

/// <summary>
/// A worker agent played by the test over the real gRPC API: registers, holds the order stream and reports what
/// the test tells it to. Waits are on orders arriving, with a hang guard far above any load's delay.
/// </summary>
internal sealed class SimulatedWorker : IAsyncDisposable
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(3);
    private readonly Channel<WorkerOrder> _orders = Channel.CreateUnbounded<WorkerOrder>();
    private readonly CancellationTokenSource _stop = new();
    private Task _reading = Task.CompletedTask;
    private Task _heartbeats = Task.CompletedTask;

    public SimulatedWorker(WorkerHub.WorkerHubClient client, string id, int peerPort)
    {
        Client = client;
        Id = id;
        PeerEndpoint = $"127.0.0.1:{peerPort}";
    }

    public WorkerHub.WorkerHubClient Client { get; set; }

    public string Id { get; }

    public string PeerEndpoint { get; }

    /// <summary>Registers (listing <paramref name="running"/>) and opens the order stream.</summary>
    public async Task<RegisterWorkerReply> Join(params RunningAttempt[] running)
    {
        var reply = await Register(running);
        OpenOrders();
        return reply;
    }

    /// <summary>Registers without opening the order stream.</summary>
    public Task<RegisterWorkerReply> Register(params RunningAttempt[] running)
    {
        var request = new RegisterWorkerRequest { WorkerId = Id, Host = "localhost", PeerEndpoint = PeerEndpoint, Capacity = 1 };
        request.Devices.Add("cpu");
        request.Running.AddRange(running);
        return Client.RegisterAsync(request).ResponseAsync;
    }

    /// <summary>Heartbeats at <paramref name="interval"/> until <see cref="Vanish"/>, as an agent does.</summary>
    public void StartHeartbeats(TimeSpan interval) => _heartbeats = Task.Run(async () =>
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Client.HeartbeatAsync(new HeartbeatRequest { WorkerId = Id }, cancellationToken: _stop.Token);
                await Task.Delay(interval, _stop.Token);
            }
        }
        catch (RpcException)
        {
        }
        catch (OperationCanceledException)
        {
        }
    });

    /// <summary>Opens the order stream; orders are read into a queue the Next methods take from.</summary>
    public void OpenOrders()
    {
        var stream = Client.Assignments(new AssignmentsRequest { WorkerId = Id }, cancellationToken: _stop.Token);
        _reading = Task.Run(async () =>
        {
            try
            {
                await foreach (var order in stream.ResponseStream.ReadAllAsync(_stop.Token))
                    await _orders.Writer.WriteAsync(order);
            }
            catch (RpcException)
            {
                // The coordinator went away or the test stopped reading.
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    public async Task<TrialAssignment> NextStart() => (await NextOrder(WorkerOrder.OrderOneofCase.Start)).Start;

    public async Task<StopTrial> NextStop() => (await NextOrder(WorkerOrder.OrderOneofCase.Stop)).Stop;

    public async Task<WorkerOrder> NextOrder(WorkerOrder.OrderOneofCase kind)
    {
        using var guard = new CancellationTokenSource(HangGuard);
        while (true)
        {
            var order = await _orders.Reader.ReadAsync(guard.Token);
            if (order.OrderCase == kind)
                return order;
        }
    }

    public Task<EpochReportReply> Report(TrialAssignment assignment, int epoch, double map, string? checkpoint = null) =>
        Client.ReportEpochAsync(new EpochReport
        {
            WorkerId = Id,
            TrialId = assignment.TrialId,
            Attempt = assignment.Attempt,
            Metrics = new EpochMetrics { Epoch = epoch, Step = epoch * 10, Map = map, MapEma = map - 1, TrainLoss = 1.0 / epoch, WorldSize = assignment.WorldSize },
            Checkpoint = checkpoint ?? Path.Combine(assignment.OutputDir, "last.ckpt"),
        }).ResponseAsync;

    public Task Complete(TrialAssignment assignment, bool stoppedEarly = false) =>
        Client.CompleteTrialAsync(new TrialCompletion
        {
            WorkerId = Id,
            TrialId = assignment.TrialId,
            Attempt = assignment.Attempt,
            StoppedEarly = stoppedEarly,
            Checkpoint = Path.Combine(assignment.OutputDir, "last.ckpt"),
        }).ResponseAsync;

    public Task Fail(TrialAssignment assignment, FailureKind kind, string reason, int? exitCode = null) =>
        Client.FailTrialAsync(new TrialFailure
        {
            WorkerId = Id,
            TrialId = assignment.TrialId,
            Attempt = assignment.Attempt,
            Kind = kind,
            Reason = reason,
            ExitCode = exitCode ?? (kind == FailureKind.Released ? 130 : 1),
        }).ResponseAsync;

    /// <summary>Stops reading orders (as a dead worker would) without telling the coordinator.</summary>
    public async Task Vanish()
    {
        await _stop.CancelAsync();
        await _reading;
        await _heartbeats;
    }

    public async ValueTask DisposeAsync()
    {
        await Vanish();
        _stop.Dispose();
    }
}
