using Asl.Distributed.Contracts.V1;

namespace Asl.Distributed.Coordinator.Sweeps;

/// <summary>
/// Each sweep's events, durable and in order: appending gives the event its sequence number; readers resume after
/// the last one they saw and wait for more.
/// </summary>
public interface ISweepEventLog
{
    /// <summary>Stores the event (its sequence number is set here) and wakes the sweep's watchers.</summary>
    Task<long> Append(string sweepId, SweepEvent sweepEvent);

    /// <summary>The events after <paramref name="afterSequence"/>, in order, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<SweepEvent>> Read(string sweepId, long afterSequence, int max);

    /// <summary>Completes when an event after <paramref name="afterSequence"/> exists (at once if one does).</summary>
    Task WaitForEvent(string sweepId, long afterSequence, CancellationToken cancellationToken);
}
