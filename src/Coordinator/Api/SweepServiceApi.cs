using System.Text.Json;
using Asl.Distributed.Configuration;
using Asl.Distributed.Contracts;
using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Coordinator.Sweeps;
using Asl.Distributed.Coordinator.Trials;
using Asl.Distributed.Coordinator.Workers;
using Asl.Distributed.Runs;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using EpochMetrics = Asl.Distributed.Runs.EpochMetrics;

namespace Asl.Distributed.Coordinator.Api;

/// <summary>The clients' gRPC service: sweeps, trials, their events and the workers.</summary>
public sealed class SweepServiceApi(IGrainFactory grains, ISweepPlanner planner, ISweepEventLog events) : SweepService.SweepServiceBase
{
    private const int MaxSpecLength = 1 << 20;
    private const int WatchBatch = 256;

    private IWorkerRegistryGrain Registry => grains.GetGrain<IWorkerRegistryGrain>(0);

    public override async Task<SubmitSweepReply> SubmitSweep(SubmitSweepRequest request, ServerCallContext context)
    {
        RequestChecks.Text(request.SpecYaml, "spec_yaml", MaxSpecLength);
        ISweepPlan plan;
        try
        {
            plan = planner.Parse(request.SpecYaml);
        }
        catch (ConfigException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "spec_yaml: " + string.Join("\n", e.Problems)));
        }
        int registered = (await Registry.List()).Count;
        if (plan.WorkersPerTrial > registered)
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"workers_per_trial: {plan.WorkersPerTrial} workers per trial, but {registered} worker(s) are registered; start more workers or lower workers_per_trial"));

        await grains.GetGrain<ISweepIndexGrain>(0).Add(plan.Name);
        try
        {
            var outcome = await grains.GetGrain<ISweepGrain>(plan.Name).Submit(plan.CanonicalYaml);
            return new SubmitSweepReply { SweepId = plan.Name, Resumed = outcome.Resumed, TrialCount = outcome.TrialCount };
        }
        catch (SweepConflictException e)
        {
            throw new RpcException(new Status(StatusCode.AlreadyExists, e.Message));
        }
    }

    public override async Task<SweepInfo> GetSweep(GetSweepRequest request, ServerCallContext context) =>
        Info(request.SweepId, await Existing(RequestChecks.Identifier(request.SweepId, "sweep_id")));

    public override async Task<ListSweepsReply> ListSweeps(ListSweepsRequest request, ServerCallContext context)
    {
        var reply = new ListSweepsReply();
        foreach (var id in await grains.GetGrain<ISweepIndexGrain>(0).List())
        {
            var record = await grains.GetGrain<ISweepGrain>(id).Get();
            if (record.SpecYaml.Length > 0)
                reply.Sweeps.Add(Info(id, record));
        }
        return reply;
    }

    public override async Task<ListTrialsReply> ListTrials(ListTrialsRequest request, ServerCallContext context)
    {
        var record = await Existing(RequestChecks.Identifier(request.SweepId, "sweep_id"));
        var reply = new ListTrialsReply();
        foreach (var entry in record.Trials)
            reply.Trials.Add(TrialInfoOf(entry, await grains.GetGrain<ITrialGrain>(entry.TrialId).Get()));
        return reply;
    }

    public override async Task WatchSweep(WatchSweepRequest request, IServerStreamWriter<SweepEvent> responseStream, ServerCallContext context)
    {
        string sweepId = RequestChecks.Identifier(request.SweepId, "sweep_id");
        if (request.AfterSequence < 0)
            throw RequestChecks.Invalid("after_sequence", $"{request.AfterSequence} is negative; allowed: 0 (from the start) or a sequence number seen before");
        await Existing(sweepId);
        long after = request.AfterSequence;
        var token = context.CancellationToken;
        while (!token.IsCancellationRequested)
        {
            var batch = await events.Read(sweepId, after, WatchBatch);
            foreach (var e in batch)
            {
                await responseStream.WriteAsync(e, token);
                after = e.Sequence;
                if (e.KindCase == SweepEvent.KindOneofCase.SweepEnded)
                    return;
            }
            if (batch.Count < WatchBatch)
            {
                try
                {
                    await events.WaitForEvent(sweepId, after, token);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }

    public override async Task<CancelReply> CancelSweep(CancelSweepRequest request, ServerCallContext context)
    {
        string sweepId = RequestChecks.Identifier(request.SweepId, "sweep_id");
        await Existing(sweepId);
        return new CancelReply { AffectedTrials = await grains.GetGrain<ISweepGrain>(sweepId).Cancel() };
    }

    public override async Task<CancelReply> CancelTrial(CancelTrialRequest request, ServerCallContext context)
    {
        string sweepId = RequestChecks.Identifier(request.SweepId, "sweep_id");
        string trialId = RequestChecks.Identifier(request.TrialId, "trial_id");
        var record = await Existing(sweepId);
        if (!record.Trials.Any(t => t.TrialId == trialId))
            throw new RpcException(new Status(StatusCode.NotFound, $"trial_id: sweep '{sweepId}' has no trial '{trialId}' (yet)"));
        bool cancelled = await grains.GetGrain<ITrialGrain>(trialId).Cancel("cancelled by a client");
        return new CancelReply { AffectedTrials = cancelled ? 1 : 0 };
    }

    public override async Task<ListWorkersReply> ListWorkers(ListWorkersRequest request, ServerCallContext context)
    {
        var reply = new ListWorkersReply();
        foreach (var w in await Registry.List())
        {
            var info = new WorkerInfo
            {
                WorkerId = w.WorkerId,
                Host = w.Host,
                PeerEndpoint = w.PeerEndpoint,
                Capacity = w.Capacity,
                Registered = Timestamp.FromDateTimeOffset(w.Registered),
                LastHeartbeat = Timestamp.FromDateTimeOffset(w.LastHeartbeat),
                Runtime = w.Runtime,
            };
            info.Devices.AddRange(w.Devices);
            info.RunningTrials.AddRange(w.Allocations.Select(a => a.TrialId));
            reply.Workers.Add(info);
        }
        return reply;
    }

    private async Task<SweepRecord> Existing(string sweepId)
    {
        var record = await grains.GetGrain<ISweepGrain>(sweepId).Get();
        return record.SpecYaml.Length > 0 ? record : throw new RpcException(new Status(StatusCode.NotFound, $"sweep_id: no sweep '{sweepId}'"));
    }

    private static SweepInfo Info(string sweepId, SweepRecord record)
    {
        var best = Leaderboard.Best(record.Trials, record.Maximize);
        var info = new SweepInfo
        {
            SweepId = sweepId,
            State = record.Status switch
            {
                SweepStatus.Running => SweepState.Running,
                SweepStatus.Finished => SweepState.Finished,
                _ => SweepState.Cancelled,
            },
            SpecYaml = record.SpecYaml,
            TrialCount = record.TrialCount,
            BestTrialId = best?.TrialId ?? "",
            BestMetric = best?.BestMetric ?? double.NaN,
            Created = Timestamp.FromDateTimeOffset(record.Created),
            TotalEpochs = record.TotalEpochs,
            Maximize = record.Maximize,
        };
        if (record.Ended is { } ended)
            info.Ended = Timestamp.FromDateTimeOffset(ended);
        foreach (var group in record.Trials.GroupBy(t => t.Status))
            info.TrialsByState[(int)group.Key.ToMessage()] = group.Count();
        return info;
    }

    private static TrialInfo TrialInfoOf(SweepTrialEntry entry, TrialRecord trial)
    {
        var info = new TrialInfo
        {
            TrialId = entry.TrialId,
            Index = entry.Index,
            State = trial.Status.ToMessage(),
            BestMetric = entry.BestMetric,
            Checkpoint = trial.Checkpoint,
            EndReason = trial.EndReason,
        };
        if (trial.Definition is { } definition)
        {
            foreach (var (key, value) in definition.Settings)
                info.Settings[key] = value;
            info.Seed = definition.Seed;
            info.IsBaseline = definition.IsBaseline;
        }
        foreach (var epoch in trial.Epochs)
            info.Epochs.Add(JsonSerializer.Deserialize<EpochMetrics>(epoch.MetricsJson, RunJson.Options)!.ToMessage());
        foreach (var a in trial.Attempts)
        {
            var attempt = new TrialAttempt
            {
                Number = a.Number,
                Started = Timestamp.FromDateTimeOffset(a.Started),
                EndReason = a.EndReason,
                CountedAsFailure = a.CountedAsFailure,
                ResumedFromEpoch = a.ResumedFromEpoch,
            };
            attempt.WorkerIds.AddRange(a.WorkerIds);
            if (a.Ended is { } ended)
                attempt.Ended = Timestamp.FromDateTimeOffset(ended);
            info.Attempts.Add(attempt);
        }
        return info;
    }
}
