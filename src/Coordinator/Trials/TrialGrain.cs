using System.Security.Cryptography;
using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Coordinator.Sweeps;
using Asl.Distributed.Coordinator.Telemetry;
using Asl.Distributed.Coordinator.Workers;
using Asl.Distributed.Runs;
using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Coordinator.Trials;

/// <summary>
/// A trial's state machine. Each transition is written before anything acts on it (orders to workers, the registry,
/// the sweep), so a coordinator killed at any instant restarts with every epoch, checkpoint reference and attempt.
/// </summary>
public sealed class TrialGrain(
    [PersistentState("trial")] IPersistentState<TrialRecord> state,
    WorkerOrders orders,
    TimeProvider time,
    SweepTraces traces,
    ILogger<TrialGrain> logger) : Grain, ITrialGrain
{
    private readonly TrialLog _log = new(logger);

    private TrialRecord Record => state.State;
    private string TrialId => this.GetPrimaryKeyString();
    private TrialDefinition Definition => Record.Definition ?? throw new TrialReportRefusedException($"trial {TrialId} does not exist");
    private AttemptRecord? Current => Record.Status.IsActive() ? Record.Attempts[^1] : null;
    private IWorkerRegistryGrain Registry => GrainFactory.GetGrain<IWorkerRegistryGrain>(0);
    private ISweepGrain Sweep => GrainFactory.GetGrain<ISweepGrain>(Definition.SweepId);

    public async Task Create(TrialDefinition definition)
    {
        if (Record.Definition is not null)
        {
            await RepeatFollowUps();
            return;
        }
        Record.Definition = definition;
        Record.Status = TrialStatus.Pending;
        Record.TraceContext = traces.TrialStarted(TrialId, definition.SweepId, definition.SweepTraceContext, definition.Index, definition.Seed, definition.Settings);
        await state.WriteStateAsync();
        await Registry.Enqueue(new QueuedTrial(TrialId, definition.SweepId, definition.Workers, 1, definition.Index));
    }

    public Task<TrialRecord> Get() => Task.FromResult(Record);

    /// <summary>
    /// Repeats what the last stored transition asks of the registry and the sweep, each idempotent there: a kill
    /// between the transition's write and those calls would otherwise leave an ended trial holding its workers and
    /// unknown to its sweep as ended, or a re-queued attempt out of the queue. Run when the sweep resumes after a restart.
    /// </summary>
    private async Task RepeatFollowUps()
    {
        if (Record.Status.HasEnded())
            await Registry.Release(TrialId, Record.Attempts.Count + 1);
        else if (Record.Status == TrialStatus.Pending)
            await Registry.Requeue(new QueuedTrial(TrialId, Definition.SweepId, Definition.Workers, Record.Attempts.Count + 1, Definition.Index));
        await Sweep.OnTrialChanged(Change(Record.Attempts.Count, Record.Status.HasEnded() ? Record.EndReason : ""));
    }

    public async Task<EpochDecision> ReportEpoch(string workerId, int attempt, int epoch, string metricsJson, string checkpoint)
    {
        var current = RequireCurrent(workerId, attempt, "an epoch report");
        if (current.WorkerIds[0] != workerId)
            throw new TrialReportRefusedException($"trial {TrialId} attempt {attempt}: epochs are reported by rank 0 ({current.WorkerIds[0]}), not by {workerId}");
        var known = Record.Epochs.FirstOrDefault(e => e.Epoch == epoch && e.Attempt == attempt);
        if (known is not null)
            return new EpochDecision(known.Proceed, known.Proceed ? "" : "stopped at this epoch before", known.Metric);

        // The sweep records the epoch first and answers the same for a re-delivered one, so a crash between its
        // write and ours repeats nothing.
        var decision = await Sweep.OnEpoch(Definition.Index, epoch, metricsJson);
        Record.Epochs.RemoveAll(e => e.Epoch >= epoch);
        Record.Epochs.Add(new EpochRecord(epoch, metricsJson, decision.Metric, attempt, decision.Proceed));
        if (checkpoint.Length > 0)
        {
            Record.Checkpoint = checkpoint;
            Record.CheckpointEpoch = epoch;
        }
        bool started = Record.Status == TrialStatus.Scheduled;
        Record.Status = TrialStatus.Running;
        await state.WriteStateAsync();
        if (started)
            await Sweep.OnTrialChanged(Change(attempt, ""));
        return decision;
    }

    public async Task Complete(string workerId, int attempt, bool stoppedEarly, string checkpoint)
    {
        var current = RequireCurrent(workerId, attempt, "a completion");
        // The other ranks end with rank 0; rank 0's report decides.
        if (current.WorkerIds[0] != workerId)
            return;
        if (checkpoint.Length > 0)
            Record.Checkpoint = checkpoint;
        var status = stoppedEarly ? TrialStatus.Stopped : TrialStatus.Completed;
        string reason = stoppedEarly ? Record.Epochs.LastOrDefault(e => !e.Proceed) is { } last ? $"stopped after epoch {last.Epoch}" : "stopped early" : "";
        await EndAttempt(current, status, reason, countsAsFailure: false);
    }

    public async Task Fail(string workerId, int attempt, TrialFailureKind kind, string reason, int exitCode, string checkpoint)
    {
        if (LateVerdict(workerId, attempt, kind, exitCode) is { } ended)
        {
            // The attempt already ended because this worker's peers lost it; its own report says why.
            await CountLateFailure(ended, $"{workerId} (exit code {exitCode}): {reason}");
            return;
        }
        var current = RequireCurrent(workerId, attempt, "a failure");
        string line = $"{workerId} (rank {current.WorkerIds.IndexOf(workerId)}, exit code {exitCode}): {reason}";
        // A rank that lost its peer is not the cause: the peer's own report (or its lost heartbeats) counts the
        // failure, if it was one. A peer that was released (SIGTERM to its agent) costs the trial nothing.
        if (kind == TrialFailureKind.Error && exitCode == RunExitCodes.PeerLost)
        {
            current.LostPeer = true;
            await EndAttempt(current, TrialStatus.Pending, line, countsAsFailure: false);
            return;
        }
        await EndFailedAttempt(current, kind, line);
    }

    public async Task<bool> Cancel(string reason)
    {
        if (Record.Definition is null || Record.Status.HasEnded())
            return false;
        if (Current is { } current)
        {
            await EndAttempt(current, TrialStatus.Cancelled, reason, countsAsFailure: false);
        }
        else
        {
            Record.Status = TrialStatus.Cancelled;
            Record.EndReason = reason;
            await state.WriteStateAsync();
            traces.TrialEnded(TrialId, "cancelled", failed: false);
            await Registry.Release(TrialId, Record.Attempts.Count + 1);
            await Sweep.OnTrialChanged(Change(Record.Attempts.Count, reason));
        }
        return true;
    }

    public async Task OnGangAllocated(int attempt, IReadOnlyList<GangMember> gang)
    {
        if (Record.Definition is null || Record.Status != TrialStatus.Pending || attempt != Record.Attempts.Count + 1)
        {
            // Cancelled or moved on while the allocation was on its way: give the workers back.
            await Registry.Release(TrialId, attempt);
            return;
        }
        var record = new AttemptRecord
        {
            Number = attempt,
            WorkerIds = [.. gang.Select(m => m.WorkerId)],
            PeerEndpoints = [.. gang.Select(m => m.PeerEndpoint)],
            JobSecret = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)),
            Started = time.GetUtcNow(),
            ResumedFrom = Record.Checkpoint,
            ResumedFromEpoch = Record.CheckpointEpoch,
        };
        record.TraceContext = traces.AttemptStarted(TrialId, attempt, Record.TraceContext, record.WorkerIds);
        Record.Attempts.Add(record);
        Record.Status = TrialStatus.Scheduled;
        await state.WriteStateAsync();
        _log.Scheduled(TrialId, attempt, string.Join(",", record.WorkerIds), record.ResumedFromEpoch);
        for (int rank = 0; rank < record.WorkerIds.Count; rank++)
            orders.Send(record.WorkerIds[rank], StartOrder(record, rank));
        await Sweep.OnTrialChanged(Change(attempt, ""));
    }

    public async Task OnWorkerLost(string workerId, int attempt, string reason)
    {
        if (Current is { } current && current.Number == attempt && current.WorkerIds.Contains(workerId))
            await EndFailedAttempt(current, TrialFailureKind.Error, reason);
    }

    /// <summary>
    /// The ended attempt a failure report belongs to, when that attempt ended because its other ranks lost this
    /// worker and nothing has been counted for it yet; null otherwise. (A worker lost for good is dropped with its
    /// allocation to the next attempt, which then counts.)
    /// </summary>
    private AttemptRecord? LateVerdict(string workerId, int attempt, TrialFailureKind kind, int exitCode)
    {
        if (Record.Definition is null || kind != TrialFailureKind.Error || exitCode == RunExitCodes.PeerLost)
            return null;
        var ended = Record.Attempts.FirstOrDefault(a => a.Number == attempt && a.Ended is not null);
        return ended is { LostPeer: true, CountedAsFailure: false } && ended.WorkerIds.Contains(workerId) ? ended : null;
    }

    /// <summary>Counts a failure for an attempt that already ended; fails the trial if that was one too many.</summary>
    private async Task CountLateFailure(AttemptRecord ended, string reason)
    {
        ended.CountedAsFailure = true;
        ended.EndReason += "; cause: " + reason;
        Record.Failures++;
        if (Record.Failures <= Definition.MaxFailures || Record.Status.HasEnded())
        {
            await state.WriteStateAsync();
            return;
        }
        string why = $"failed {Record.Failures} time(s), more than max_failures_per_trial {Definition.MaxFailures}; last: {reason}";
        if (Current is { } current)
        {
            await EndAttempt(current, TrialStatus.Failed, why, countsAsFailure: false);
            return;
        }
        Record.Status = TrialStatus.Failed;
        Record.EndReason = why;
        await state.WriteStateAsync();
        traces.TrialEnded(TrialId, "failed", failed: true);
        await Registry.Release(TrialId, Record.Attempts.Count + 1);
        await Sweep.OnTrialChanged(Change(Record.Attempts.Count, why));
    }

    public Task Redeliver(string workerId, int attempt)
    {
        if (Current is { } current && current.Number == attempt && current.WorkerIds.IndexOf(workerId) is var rank and >= 0)
            orders.Send(workerId, StartOrder(current, rank));
        return Task.CompletedTask;
    }

    private async Task EndFailedAttempt(AttemptRecord current, TrialFailureKind kind, string reason)
    {
        bool counted = kind != TrialFailureKind.Released;
        int failures = Record.Failures + (counted ? 1 : 0);
        var next = kind == TrialFailureKind.InvalidConfig || failures > Definition.MaxFailures ? TrialStatus.Failed : TrialStatus.Pending;
        await EndAttempt(current, next, reason, counted);
    }

    /// <summary>Ends the current attempt with the trial's next status; stops the gang's other ranks and frees it.</summary>
    private async Task EndAttempt(AttemptRecord current, TrialStatus next, string reason, bool countsAsFailure)
    {
        current.Ended = time.GetUtcNow();
        current.EndReason = reason;
        current.CountedAsFailure = countsAsFailure;
        if (countsAsFailure)
            Record.Failures++;
        Record.Status = next;
        if (next.HasEnded())
            Record.EndReason = next == TrialStatus.Failed && countsAsFailure
                ? $"failed {Record.Failures} time(s), more than max_failures_per_trial {Definition.MaxFailures}; last: {reason}"
                : reason;
        await state.WriteStateAsync();
        _log.AttemptEnded(TrialId, current.Number, next, reason);
        traces.AttemptEnded(TrialId, current.Number, reason, countsAsFailure);
        if (next.HasEnded())
            traces.TrialEnded(TrialId, next.ToString().ToLowerInvariant(), failed: next == TrialStatus.Failed);

        var stop = new WorkerOrder { Stop = new StopTrial { TrialId = TrialId, Attempt = current.Number, Reason = reason.Length > 0 ? reason : next.ToString() } };
        foreach (var worker in current.WorkerIds)
            orders.Send(worker, stop);
        if (next == TrialStatus.Pending)
            await Registry.Requeue(new QueuedTrial(TrialId, Definition.SweepId, Definition.Workers, current.Number + 1, Definition.Index));
        else
            await Registry.Release(TrialId, current.Number);
        await Sweep.OnTrialChanged(Change(current.Number, reason));
    }

    private AttemptRecord RequireCurrent(string workerId, int attempt, string what)
    {
        if (Record.Definition is null)
            throw new TrialReportRefusedException($"{what} for trial {TrialId}, which does not exist");
        if (Record.Status.HasEnded())
            throw new TrialReportRefusedException($"{what} for trial {TrialId}, which has ended ({Record.Status})");
        var current = Current;
        if (current is null || current.Number != attempt)
            throw new TrialReportRefusedException($"{what} for trial {TrialId} attempt {attempt}, which is not its current attempt ({(current is null ? "none runs" : current.Number)})");
        if (!current.WorkerIds.Contains(workerId))
            throw new TrialReportRefusedException($"{what} for trial {TrialId} attempt {attempt} from {workerId}, which is not in its gang");
        return current;
    }

    private WorkerOrder StartOrder(AttemptRecord attempt, int rank)
    {
        var assignment = new TrialAssignment
        {
            SweepId = Definition.SweepId,
            TrialId = TrialId,
            Attempt = attempt.Number,
            ConfigYaml = Definition.ConfigYaml,
            Rank = rank,
            WorldSize = attempt.WorkerIds.Count,
            JobSecret = attempt.JobSecret,
            ResumeCheckpoint = attempt.ResumedFrom,
            OutputDir = Definition.OutputDir,
            Traceparent = attempt.TraceContext,
        };
        assignment.PeerEndpoints.AddRange(attempt.PeerEndpoints);
        return new WorkerOrder { Start = assignment };
    }

    private TrialChange Change(int attempt, string reason) => new(TrialId, Definition.Index, Record.Status, attempt, reason);
}
