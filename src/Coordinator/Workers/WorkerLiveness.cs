using System.Collections.Concurrent;

namespace Asl.Distributed.Coordinator.Workers;

/// <summary>
/// The registered workers' last heartbeats, in memory in the silo process, where the API answers heartbeats without a
/// grain call: at 1,000 workers a second a call each to the one registry grain cost CPU and queued behind its storage
/// writes. The registry decides who is registered (it arms a worker when it registers, re-arms every stored worker
/// when it activates, forgets one it drops) and reads the times here to drop the silent ones. Nothing here is stored,
/// as before: heartbeat times were never persisted, and a restarted registry gives every worker a fresh deadline.
/// </summary>
public sealed class WorkerLiveness(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Records a heartbeat now; false when the worker is not registered (it must register again).</summary>
    public bool Beat(string workerId)
    {
        if (!_entries.TryGetValue(workerId, out var entry))
            return false;
        // A beat racing with Forget may land on the removed entry: harmless, the worker is gone either way.
        Volatile.Write(ref entry.UtcTicks, time.GetUtcNow().UtcTicks);
        return true;
    }

    /// <summary>Marks the worker registered with a heartbeat now (a registration counts as one).</summary>
    public void Arm(string workerId) => _entries[workerId] = new Entry { UtcTicks = time.GetUtcNow().UtcTicks };

    /// <summary>Exactly <paramref name="workerIds"/> are registered, each with a heartbeat now (the registry's activation).</summary>
    public void Reset(IEnumerable<string> workerIds)
    {
        var keep = workerIds.ToHashSet(StringComparer.Ordinal);
        foreach (var id in _entries.Keys.Where(id => !keep.Contains(id)))
            _entries.TryRemove(id, out _);
        foreach (var id in keep)
            Arm(id);
    }

    /// <summary>The worker is no longer registered: its heartbeats answer unknown.</summary>
    public void Forget(string workerId) => _entries.TryRemove(workerId, out _);

    /// <summary>The worker's last heartbeat (or registration); null when it is not registered.</summary>
    public DateTimeOffset? LastHeartbeat(string workerId) =>
        _entries.TryGetValue(workerId, out var entry) ? new DateTimeOffset(Volatile.Read(ref entry.UtcTicks), TimeSpan.Zero) : null;

    private sealed class Entry
    {
        public long UtcTicks;
    }
}
