using System.Text.Json;
using Asl.Distributed.Contracts;
using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Coordinator.Trials;
using Asl.Distributed.Coordinator.Workers;
using Asl.Distributed.Runs;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Asl.Distributed.Coordinator.Api;

/// <summary>
/// The worker agents' gRPC service: checks each message, then hands it to the registry or the trial grain. No call
/// waits for training; a report the trial refuses (stale attempt, ended trial) fails with FAILED_PRECONDITION.
/// </summary>
public sealed class WorkerHubApi(IGrainFactory grains, WorkerOrders orders, WorkerLiveness liveness) : WorkerHub.WorkerHubBase
{
    private const int MaxDevices = 64;
    private const int MaxCapacity = 64;
    private const int MaxReasonLength = 4096;
    private const int MaxPathLength = 4096;

    private IWorkerRegistryGrain Registry => grains.GetGrain<IWorkerRegistryGrain>(0);

    public override async Task<RegisterWorkerReply> Register(RegisterWorkerRequest request, ServerCallContext context)
    {
        string workerId = RequestChecks.WorkerId(request.WorkerId, "worker_id");
        RequestChecks.Text(request.Host, "host", 253);
        RequestChecks.Range(request.Devices.Count, "devices (count)", 1, MaxDevices);
        for (int i = 0; i < request.Devices.Count; i++)
            RequestChecks.Text(request.Devices[i], $"devices[{i}]", 64);
        RequestChecks.Endpoint(request.PeerEndpoint, "peer_endpoint");
        RequestChecks.Range(request.Capacity, "capacity", 1, MaxCapacity);
        RequestChecks.Text(request.Runtime, "runtime", 256, required: false);
        var running = Running(request.Running, "running");

        var answer = await Registry.Register(new WorkerRegistration(workerId, request.Host, [.. request.Devices], request.PeerEndpoint, request.Capacity, running, request.Runtime));
        var reply = new RegisterWorkerReply
        {
            HeartbeatInterval = Duration.FromTimeSpan(answer.HeartbeatInterval),
            HeartbeatTimeout = Duration.FromTimeSpan(answer.HeartbeatTimeout),
        };
        reply.Stop.AddRange(answer.Stop.Select(a => new RunningAttempt { TrialId = a.TrialId, Attempt = a.Attempt, Rank = a.Rank }));
        return reply;
    }

    /// <summary>Answered here, without a grain call (see <see cref="WorkerLiveness"/>).</summary>
    public override Task<HeartbeatReply> Heartbeat(HeartbeatRequest request, ServerCallContext context)
    {
        string workerId = RequestChecks.WorkerId(request.WorkerId, "worker_id");
        Running(request.Running, "running");
        return Task.FromResult(new HeartbeatReply { Known = liveness.Beat(workerId) });
    }

    /// <summary>
    /// Heartbeats as messages on one call: each is checked and recorded like a <see cref="Heartbeat"/> call, without
    /// an answer while the worker is known; an unknown worker gets known = false and the call ends.
    /// </summary>
    public override async Task Heartbeats(IAsyncStreamReader<HeartbeatRequest> requestStream, IServerStreamWriter<HeartbeatReply> responseStream, ServerCallContext context)
    {
        string? workerId = null;
        try
        {
            while (await requestStream.MoveNext(context.CancellationToken))
            {
                var request = requestStream.Current;
                string id = RequestChecks.WorkerId(request.WorkerId, "worker_id");
                if (workerId is not null && id != workerId)
                    throw RequestChecks.Invalid("worker_id", $"is '{id}' after '{workerId}' on the same stream; allowed: one worker per stream");
                workerId = id;
                Running(request.Running, "running");
                if (!liveness.Beat(id))
                {
                    await responseStream.WriteAsync(new HeartbeatReply { Known = false }, context.CancellationToken);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The worker went away; its silence is noticed by the heartbeat timeout.
        }
    }

    public override async Task<DrainReply> Drain(DrainRequest request, ServerCallContext context)
    {
        string workerId = RequestChecks.WorkerId(request.WorkerId, "worker_id");
        return new DrainReply { Known = await Registry.Drain(workerId) };
    }

    public override async Task Assignments(AssignmentsRequest request, IServerStreamWriter<WorkerOrder> responseStream, ServerCallContext context)
    {
        string workerId = RequestChecks.WorkerId(request.WorkerId, "worker_id");
        var reader = orders.Connect(workerId);
        try
        {
            await foreach (var order in reader.ReadAllAsync(context.CancellationToken))
                await responseStream.WriteAsync(order, context.CancellationToken);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The worker went away; its orders wait for the next stream.
        }
    }

    public override async Task<EpochReportReply> ReportEpoch(EpochReport request, ServerCallContext context)
    {
        var (workerId, trial) = Report(request.WorkerId, request.TrialId, request.Attempt);
        if (request.Metrics is null)
            throw RequestChecks.Invalid("metrics", "is required");
        RequestChecks.Range(request.Metrics.Epoch, "metrics.epoch", 1, 1_000_000);
        RequestChecks.Text(request.Checkpoint, "checkpoint", MaxPathLength, required: false);
        string json = JsonSerializer.Serialize(request.Metrics.ToRecord(), RunJson.Options);
        var decision = await Refusable(() => trial.ReportEpoch(workerId, request.Attempt, request.Metrics.Epoch, json, request.Checkpoint));
        return new EpochReportReply { Proceed = decision.Proceed, Reason = decision.Reason };
    }

    public override async Task<TrialEndReply> CompleteTrial(TrialCompletion request, ServerCallContext context)
    {
        var (workerId, trial) = Report(request.WorkerId, request.TrialId, request.Attempt);
        RequestChecks.Text(request.Checkpoint, "checkpoint", MaxPathLength, required: false);
        await Refusable(async () => { await trial.Complete(workerId, request.Attempt, request.StoppedEarly, request.Checkpoint); return 0; });
        return new TrialEndReply();
    }

    public override async Task<TrialEndReply> FailTrial(TrialFailure request, ServerCallContext context)
    {
        var (workerId, trial) = Report(request.WorkerId, request.TrialId, request.Attempt);
        var kind = request.Kind switch
        {
            FailureKind.Error => TrialFailureKind.Error,
            FailureKind.Released => TrialFailureKind.Released,
            FailureKind.InvalidConfig => TrialFailureKind.InvalidConfig,
            _ => throw RequestChecks.Invalid("kind", $"{request.Kind} is not a failure kind; allowed: FAILURE_KIND_ERROR, FAILURE_KIND_RELEASED, FAILURE_KIND_INVALID_CONFIG"),
        };
        RequestChecks.Text(request.Reason, "reason", MaxReasonLength);
        RequestChecks.Text(request.Checkpoint, "checkpoint", MaxPathLength, required: false);
        await Refusable(async () => { await trial.Fail(workerId, request.Attempt, kind, request.Reason, request.ExitCode, request.Checkpoint); return 0; });
        return new TrialEndReply();
    }

    private (string WorkerId, ITrialGrain Trial) Report(string workerId, string trialId, int attempt)
    {
        RequestChecks.WorkerId(workerId, "worker_id");
        RequestChecks.Identifier(trialId, "trial_id");
        RequestChecks.Range(attempt, "attempt", 1, int.MaxValue);
        return (workerId, grains.GetGrain<ITrialGrain>(trialId));
    }

    private static List<WorkerAllocation> Running(IList<RunningAttempt> running, string field)
    {
        var list = new List<WorkerAllocation>();
        for (int i = 0; i < running.Count; i++)
        {
            RequestChecks.Identifier(running[i].TrialId, $"{field}[{i}].trial_id");
            RequestChecks.Range(running[i].Attempt, $"{field}[{i}].attempt", 1, int.MaxValue);
            RequestChecks.Range(running[i].Rank, $"{field}[{i}].rank", 0, 4095);
            list.Add(new WorkerAllocation(running[i].TrialId, running[i].Attempt, running[i].Rank));
        }
        return list;
    }

    private static async Task<T> Refusable<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (TrialReportRefusedException e)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
        }
    }
}
