using System.Diagnostics;
using Asl.Distributed.Contracts.V1;
using Grpc.Core;

namespace Asl.Distributed.Benchmarks;

/// <summary>
/// One simulated worker of the load benchmark, over the real WorkerHub API: registers, holds its order stream open and
/// heartbeats when the pacer says; it trains nothing, and answers each assignment at once by reporting its epochs and
/// its completion (stop orders need no answer). Heartbeats are Heartbeat calls, or (<paramref name="streamed"/>) messages
/// on one Heartbeats call, as the agent sends them.
/// </summary>
internal sealed class LoadWorker(WorkerHub.WorkerHubClient client, string id, int epochs, TrialFlowClock clock, bool streamed)
{
    private volatile bool _registered;
    private AsyncDuplexStreamingCall<HeartbeatRequest, HeartbeatReply>? _heartbeats;
    private Task<bool>? _answered;

    public string Id => id;

    /// <summary>True once registered: the pacer heartbeats only registered workers.</summary>
    public bool Registered => _registered;

    /// <summary>Ends when the order stream does (the coordinator went away or the benchmark stopped).</summary>
    public Task Reading { get; private set; } = Task.CompletedTask;

    public async Task Register(CancellationToken cancellationToken)
    {
        var request = new RegisterWorkerRequest { WorkerId = id, Host = "127.0.0.1", PeerEndpoint = "127.0.0.1:1", Capacity = 1 };
        request.Devices.Add("cpu");
        await client.RegisterAsync(request, cancellationToken: cancellationToken);
        _registered = true;
    }

    /// <summary>Opens the order stream and answers what arrives on it until <paramref name="stop"/>.</summary>
    public void OpenOrders(CancellationToken stop)
    {
        var call = client.Assignments(new AssignmentsRequest { WorkerId = id }, cancellationToken: stop);
        Reading = Task.Run(async () =>
        {
            using (call)
            {
                try
                {
                    await foreach (var order in call.ResponseStream.ReadAllAsync(stop))
                    {
                        if (order.OrderCase == WorkerOrder.OrderOneofCase.Start && clock.Arrived(order.Start.TrialId, Stopwatch.GetTimestamp()))
                            _ = Answer(order.Start);
                    }
                }
                catch (RpcException) when (stop.IsCancellationRequested)
                {
                }
                catch (OperationCanceledException)
                {
                }
            }
        }, CancellationToken.None);
    }

    /// <summary>
    /// One heartbeat; false when the coordinator no longer knows the worker. On the stream it is done when written
    /// (the coordinator answers only an unknown worker), so the pacer's "round trip" is the write's time. Never two at
    /// once for one worker (the pacer waits for the previous one).
    /// </summary>
    public async Task<bool> Heartbeat(CancellationToken cancellationToken)
    {
        if (!streamed)
            return (await client.HeartbeatAsync(new HeartbeatRequest { WorkerId = id }, cancellationToken: cancellationToken)).Known;
        if (_heartbeats is null)
        {
            _heartbeats = client.Heartbeats(cancellationToken: cancellationToken);
            _answered = _heartbeats.ResponseStream.MoveNext(cancellationToken);
        }
        if (_answered!.IsCompleted)
            return false;
        await _heartbeats.RequestStream.WriteAsync(new HeartbeatRequest { WorkerId = id }, cancellationToken);
        return true;
    }

    private async Task Answer(TrialAssignment assignment)
    {
        try
        {
            for (int epoch = 1; epoch <= epochs; epoch++)
            {
                var metrics = new EpochMetrics { Epoch = epoch, Step = epoch, Map = 50 + epoch, MapEma = 50 + epoch, TrainLoss = 1.0 / epoch, WorldSize = 1 };
                var reply = await client.ReportEpochAsync(new EpochReport { WorkerId = id, TrialId = assignment.TrialId, Attempt = assignment.Attempt, Metrics = metrics });
                if (!reply.Proceed)
                    break;
            }
            clock.CompletionSent(assignment.TrialId, Stopwatch.GetTimestamp());
            await client.CompleteTrialAsync(new TrialCompletion { WorkerId = id, TrialId = assignment.TrialId, Attempt = assignment.Attempt });
            clock.Completed();
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
        {
            clock.ReportRefused();
        }
    }
}
