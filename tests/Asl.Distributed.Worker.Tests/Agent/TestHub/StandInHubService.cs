using Asl.Distributed.Contracts.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Asl.Distributed.Worker.Tests.Agent.TestHub;

/// <summary>The WorkerHub service of the stand-in coordinator: checks the token, records the call, answers as the <see cref="StandInHub"/> says.</summary>
internal sealed class StandInHubService(StandInHub hub, StandInHubServer server) : WorkerHub.WorkerHubBase
{
    public override Task<RegisterWorkerReply> Register(RegisterWorkerRequest request, ServerCallContext context)
    {
        Accept(nameof(Register), request, context);
        hub.Registered(request.WorkerId);
        var reply = new RegisterWorkerReply
        {
            HeartbeatInterval = Duration.FromTimeSpan(hub.HeartbeatInterval),
            HeartbeatTimeout = Duration.FromTimeSpan(hub.HeartbeatTimeout),
        };
        reply.Stop.AddRange(hub.StopAtRegistration(request));
        return Task.FromResult(reply);
    }

    public override Task<HeartbeatReply> Heartbeat(HeartbeatRequest request, ServerCallContext context)
    {
        Accept(nameof(Heartbeat), request, context);
        return Task.FromResult(new HeartbeatReply { Known = hub.Knows(request.WorkerId) });
    }

    /// <summary>
    /// Each message is recorded as a call of this method; an unknown worker is answered once and the call ends. A hub
    /// without <see cref="StandInHub.HeartbeatStream"/> answers UNIMPLEMENTED, as a coordinator from before it would.
    /// </summary>
    public override async Task Heartbeats(IAsyncStreamReader<HeartbeatRequest> requestStream, IServerStreamWriter<HeartbeatReply> responseStream, ServerCallContext context)
    {
        if (!hub.HeartbeatStream)
            throw new RpcException(new Status(StatusCode.Unimplemented, "Service is unimplemented."));
        using var call = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, server.Stopping);
        try
        {
            while (await requestStream.MoveNext(call.Token))
            {
                Accept(nameof(Heartbeats), requestStream.Current, context);
                if (!hub.Knows(requestStream.Current.WorkerId))
                {
                    await responseStream.WriteAsync(new HeartbeatReply { Known = false }, call.Token);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The worker went away or the server stops.
        }
    }

    public override Task<DrainReply> Drain(DrainRequest request, ServerCallContext context)
    {
        Accept(nameof(Drain), request, context);
        return Task.FromResult(new DrainReply { Known = hub.Knows(request.WorkerId) });
    }

    public override async Task Assignments(AssignmentsRequest request, IServerStreamWriter<WorkerOrder> responseStream, ServerCallContext context)
    {
        Accept(nameof(Assignments), request, context);
        var orders = hub.OrdersOf(request.WorkerId);
        int generation = orders.Attach();
        // A stopping server ends its streams at once, as a coordinator that is killed would.
        using var call = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, server.Stopping);
        try
        {
            while (await orders.NextAsync(generation, call.Token) is { } order)
            {
                await responseStream.WriteAsync(order, call.Token);
                orders.Delivered(order);
            }
        }
        catch (OperationCanceledException)
        {
            // The worker went away or the server stops.
        }
    }

    public override async Task<EpochReportReply> ReportEpoch(EpochReport request, ServerCallContext context)
    {
        Report(nameof(ReportEpoch), request, context);
        return await hub.AnswerEpoch(request);
    }

    public override Task<TrialEndReply> CompleteTrial(TrialCompletion request, ServerCallContext context)
    {
        Report(nameof(CompleteTrial), request, context);
        hub.TrialEnded?.Invoke(request);
        return Task.FromResult(new TrialEndReply());
    }

    public override Task<TrialEndReply> FailTrial(TrialFailure request, ServerCallContext context)
    {
        Report(nameof(FailTrial), request, context);
        hub.TrialEnded?.Invoke(request);
        return Task.FromResult(new TrialEndReply());
    }

    private void Accept(string method, IMessage request, ServerCallContext context)
    {
        if (!hub.Authorized(context))
            throw new RpcException(new Status(StatusCode.Unauthenticated, "a worker token is required: authorization: Bearer <token>"));
        hub.Record(server.Run, method, request, null);
    }

    private void Report(string method, IMessage request, ServerCallContext context)
    {
        if (!hub.Authorized(context))
            throw new RpcException(new Status(StatusCode.Unauthenticated, "a worker token is required: authorization: Bearer <token>"));
        var refusal = hub.RefuseReport(request);
        hub.Record(server.Run, method, request, refusal);
        if (refusal is { } status)
            throw new RpcException(new Status(status, $"the stand-in hub refuses this {method}"));
    }
}
