using Asl.Distributed.Coordinator.Telemetry;
using Asl.Distributed.Coordinator.Trials;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Asl.Distributed.Coordinator.Workers;

/// <summary>
/// Registered workers, their heartbeats and allocations, and the queue of trials waiting for a gang. Every change to
/// workers, allocations or the queue is written before it is acted on. Heartbeats do not come here: the API records
/// them in <see cref="WorkerLiveness"/>, which this grain keeps to the registered workers and reads for deadlines.
/// </summary>
public sealed class WorkerRegistryGrain(
    [PersistentState("registry")] IPersistentState<WorkerRegistryState> state,
    WorkerOrders orders,
    WorkerLiveness liveness,
    IOptions<RegistryOptions> options,
    TimeProvider time,
    CoordinatorMetrics metrics,
    ILogger<WorkerRegistryGrain> logger) : Grain, IWorkerRegistryGrain
{
    private readonly RegistryOptions _options = options.Value;
    private readonly RegistryLog _log = new(logger);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Deadlines are re-armed from now: a worker that died while the coordinator was down misses this one too.
        liveness.Reset(state.State.Workers.Keys);
        metrics.Registry(state.State.Workers.Count, state.State.Queue.Count);
        var period = _options.HeartbeatTimeout / 4;
        // Kept alive by its timer: no heartbeat calls this grain, and the silent workers must still be dropped when
        // nothing else happens for a long time.
        this.RegisterGrainTimer(ExpireSilentWorkers, new GrainTimerCreationOptions(period, period) { Interleave = false, KeepAlive = true });
        return Task.CompletedTask;
    }

    public Task Start() => Task.CompletedTask;

    public async Task<RegistrationAnswer> Register(WorkerRegistration registration)
    {
        var workers = state.State.Workers;
        bool known = workers.TryGetValue(registration.WorkerId, out var record);
        record ??= new WorkerRecord { WorkerId = registration.WorkerId, Registered = time.GetUtcNow() };
        record.Host = registration.Host;
        record.Devices = [.. registration.Devices];
        record.Runtime = registration.Runtime;
        record.PeerEndpoint = registration.PeerEndpoint;
        record.Capacity = registration.Capacity;
        // An agent started again under the id takes work; one still stopping says so again after registering.
        record.Draining = false;
        workers[registration.WorkerId] = record;
        liveness.Arm(registration.WorkerId);

        // What it runs but was not given (ended or re-queued while it was away) stops; what it was given but does not
        // run (the order was lost with a restart) is sent again.
        var stop = registration.Running.Where(r => !record.Allocations.Contains(r)).ToList();
        var missing = record.Allocations.Where(a => !registration.Running.Contains(a)).ToList();
        await state.WriteStateAsync();
        _log.Registered(registration.WorkerId, registration.Host, registration.Capacity, known, registration.Running.Count);

        foreach (var allocation in missing)
            _ = GrainFactory.GetGrain<ITrialGrain>(allocation.TrialId).Redeliver(registration.WorkerId, allocation.Attempt);
        await Schedule();
        return new RegistrationAnswer(_options.HeartbeatInterval, _options.HeartbeatTimeout, stop);
    }

    public async Task<bool> Drain(string workerId)
    {
        if (!state.State.Workers.TryGetValue(workerId, out var record))
            return false;
        if (!record.Draining)
        {
            record.Draining = true;
            await state.WriteStateAsync();
            _log.Draining(workerId, record.Allocations.Count);
        }
        return true;
    }

    public async Task Enqueue(QueuedTrial trial)
    {
        if (AddToQueue(trial))
            await Schedule(changed: true);
    }

    public async Task Requeue(QueuedTrial next)
    {
        // A trial repeating its re-queue after a restart may find its attempt already given a gang that the kill kept
        // it from storing: that gang is offered to it again, not queued for a second one. A gang that lost a worker
        // meanwhile is given up, and the attempt waits for a whole one.
        var gang = GangOf(next.TrialId, next.Attempt);
        bool offer = gang.Count == next.Workers;
        foreach (var worker in state.State.Workers.Values)
            worker.Allocations.RemoveAll(a => a.TrialId == next.TrialId && (a.Attempt < next.Attempt || (!offer && a.Attempt == next.Attempt)));
        if (offer)
        {
            await state.WriteStateAsync();
            _ = GrainFactory.GetGrain<ITrialGrain>(next.TrialId).OnGangAllocated(next.Attempt, gang);
            await Schedule();
        }
        else
        {
            AddToQueue(next);
            await Schedule(changed: true);
        }
    }

    /// <summary>The workers holding the attempt, by rank (none when it was not allocated).</summary>
    private List<GangMember> GangOf(string trialId, int attempt) =>
        [.. state.State.Workers.Values
            .SelectMany(w => w.Allocations.Where(a => a.TrialId == trialId && a.Attempt == attempt).Select(a => (a.Rank, Member: new GangMember(w.WorkerId, w.PeerEndpoint))))
            .OrderBy(x => x.Rank)
            .Select(x => x.Member)];

    /// <summary>Queues a trial's attempt at its place; false when it was queued already.</summary>
    private bool AddToQueue(QueuedTrial trial)
    {
        var queue = state.State.Queue;
        if (queue.Any(q => q.TrialId == trial.TrialId && q.Attempt == trial.Attempt))
            return false;
        queue.RemoveAll(q => q.TrialId == trial.TrialId);
        // First come, first served between sweeps; within a sweep by trial index, whatever order the trials' own
        // calls arrive in (a retried trial goes back to its place).
        var arrival = state.State.SweepArrival;
        if (!arrival.ContainsKey(trial.SweepId))
            arrival[trial.SweepId] = arrival.Count;
        int at = queue.FindIndex(q => (arrival[q.SweepId], q.Index).CompareTo((arrival[trial.SweepId], trial.Index)) > 0);
        queue.Insert(at < 0 ? queue.Count : at, trial with { Queued = time.GetUtcNow() });
        return true;
    }

    public async Task Release(string trialId, int attempt)
    {
        bool changed = state.State.Queue.RemoveAll(q => q.TrialId == trialId && q.Attempt <= attempt) > 0;
        foreach (var worker in state.State.Workers.Values)
            changed |= worker.Allocations.RemoveAll(a => a.TrialId == trialId && a.Attempt <= attempt) > 0;
        if (changed)
            await Schedule(changed: true);
    }

    public Task<IReadOnlyList<WorkerView>> List() => Task.FromResult<IReadOnlyList<WorkerView>>(
        [.. state.State.Workers.Values.Select(w => new WorkerView(w.WorkerId, w.Host, w.Devices, w.PeerEndpoint, w.Capacity,
            [.. w.Allocations], w.Registered, liveness.LastHeartbeat(w.WorkerId) ?? default, w.Runtime))]);

    public Task<IReadOnlyList<QueuedTrial>> Queue() => Task.FromResult<IReadOnlyList<QueuedTrial>>([.. state.State.Queue]);

    /// <summary>
    /// Allocates gangs to queued trials and stores the state, in one write with the caller's own change (when
    /// <paramref name="changed"/>): the registry holds every worker, so each write costs in proportion to their number,
    /// and a trial's end or arrival then costs one write instead of two. Each allocation is stored before its trial
    /// hears of it; nothing is written when nothing changed.
    /// </summary>
    private async Task Schedule(bool changed = false)
    {
        var workers = state.State.Workers.Values.ToList();
        var slots = workers.Select(w => new WorkerSlots(w.WorkerId, w.Draining ? 0 : w.Capacity - w.Allocations.Count)).ToList();
        var gangs = GangScheduler.Allocate(state.State.Queue, slots);
        if (gangs.Count == 0)
        {
            if (changed)
            {
                await state.WriteStateAsync();
                metrics.Registry(state.State.Workers.Count, state.State.Queue.Count);
            }
            return;
        }
        var started = new List<(QueuedTrial Trial, List<GangMember> Gang)>();
        foreach (var gang in gangs)
        {
            var trial = state.State.Queue.First(q => q.TrialId == gang.TrialId);
            state.State.Queue.Remove(trial);
            var members = new List<GangMember>();
            for (int rank = 0; rank < gang.WorkerIds.Count; rank++)
            {
                var worker = state.State.Workers[gang.WorkerIds[rank]];
                worker.Allocations.Add(new WorkerAllocation(trial.TrialId, trial.Attempt, rank));
                members.Add(new GangMember(worker.WorkerId, worker.PeerEndpoint));
            }
            started.Add((trial, members));
        }
        await state.WriteStateAsync();
        metrics.Registry(state.State.Workers.Count, state.State.Queue.Count);
        var now = time.GetUtcNow();
        foreach (var (trial, gang) in started)
        {
            // A trial queued before its time was stored (an older store) has none: its wait is not known.
            if (trial.Queued != default)
                metrics.GangAllocated(trial.SweepId, now - trial.Queued);
            _log.Allocated(trial.TrialId, trial.Attempt, string.Join(",", gang.Select(m => m.WorkerId)));
            _ = GrainFactory.GetGrain<ITrialGrain>(trial.TrialId).OnGangAllocated(trial.Attempt, gang);
        }
    }

    private async Task ExpireSilentWorkers(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var silent = state.State.Workers.Keys
            .Where(id => now - (liveness.LastHeartbeat(id) ?? now) > _options.HeartbeatTimeout).ToList();
        if (silent.Count == 0)
            return;
        var lost = new List<(string WorkerId, WorkerAllocation Allocation)>();
        foreach (var id in silent)
        {
            lost.AddRange(state.State.Workers[id].Allocations.Select(a => (id, a)));
            state.State.Workers.Remove(id);
            liveness.Forget(id);
        }
        await state.WriteStateAsync();
        metrics.WorkersDropped(silent.Count);
        metrics.Registry(state.State.Workers.Count, state.State.Queue.Count);
        foreach (var id in silent)
        {
            _log.Dropped(id, _options.HeartbeatTimeout.TotalSeconds);
            orders.Forget(id);
        }
        foreach (var (workerId, allocation) in lost)
            _ = GrainFactory.GetGrain<ITrialGrain>(allocation.TrialId).OnWorkerLost(workerId, allocation.Attempt,
                $"worker {workerId} sent no heartbeat for {_options.HeartbeatTimeout.TotalSeconds:0.#} s");
        await Schedule();
    }
}
