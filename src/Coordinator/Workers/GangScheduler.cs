namespace Asl.Distributed.Coordinator.Workers;

/// <summary>
/// All-or-nothing gang allocation, as a pure function. Trials are taken in queue order (first come, first served
/// across sweeps); a trial that needs n workers gets n distinct workers with a free slot, or nothing: a partial
/// gang is never held. A trial that does not fit now is passed over so that smaller ones behind it can use the free
/// workers (backfill); it keeps its place at the head of the queue for the next round.
/// </summary>
public static class GangScheduler
{
    /// <summary>
    /// Allocates gangs for as many queued trials as fit. <paramref name="freeSlots"/> holds each worker's free slots
    /// (capacity minus its allocations), in the order workers registered; the least loaded workers are preferred
    /// so that a trial's ranks spread over idle workers first.
    /// </summary>
    public static IReadOnlyList<GangAllocation> Allocate(IReadOnlyList<QueuedTrial> queue, IReadOnlyList<WorkerSlots> freeSlots)
    {
        var free = freeSlots.Where(w => w.Free > 0).Select(w => new WorkerSlots(w.WorkerId, w.Free)).ToList();
        var allocations = new List<GangAllocation>();
        foreach (var trial in queue)
        {
            if (trial.Workers > free.Count)
                continue;
            // The emptiest workers first; ties keep registration order (a stable sort).
            var gang = free.Select((w, position) => (w, position))
                .OrderByDescending(x => x.w.Free).ThenBy(x => x.position)
                .Take(trial.Workers).Select(x => x.w.WorkerId).ToList();
            allocations.Add(new GangAllocation(trial.TrialId, gang));
            for (int i = free.Count - 1; i >= 0; i--)
            {
                if (!gang.Contains(free[i].WorkerId))
                    continue;
                int left = free[i].Free - 1;
                if (left == 0)
                    free.RemoveAt(i);
                else
                    free[i] = free[i] with { Free = left };
            }
            if (free.Count == 0)
                break;
        }
        return allocations;
    }
}
