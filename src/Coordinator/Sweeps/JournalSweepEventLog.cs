using System.Collections.Concurrent;
using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Coordinator.Storage;
using Google.Protobuf;

namespace Asl.Distributed.Coordinator.Sweeps;

/// <summary>
/// Sweep events in the store's event journal (one stream per sweep, the protobuf message as payload), with an
/// in-memory signal per sweep so watchers wake as soon as an event is appended.
/// </summary>
public sealed class JournalSweepEventLog(EventJournal journal) : ISweepEventLog
{
    private const string EventType = "asl.distributed.v1.SweepEvent";
    private readonly ConcurrentDictionary<string, Signal> _signals = new(StringComparer.Ordinal);

    public async Task<long> Append(string sweepId, SweepEvent sweepEvent)
    {
        long sequence = await journal.AppendAsync(sweepId, EventType, sweepEvent.ToByteArray());
        SignalOf(sweepId).Set();
        return sequence;
    }

    public async Task<IReadOnlyList<SweepEvent>> Read(string sweepId, long afterSequence, int max)
    {
        var stored = await journal.ReadAsync(sweepId, afterSequence, max);
        return [.. stored.Select(e =>
        {
            var parsed = SweepEvent.Parser.ParseFrom(e.Payload);
            parsed.Sequence = e.Sequence;
            return parsed;
        })];
    }

    public async Task WaitForEvent(string sweepId, long afterSequence, CancellationToken cancellationToken)
    {
        var signal = SignalOf(sweepId);
        var waiting = signal.Next();
        // Checked after taking the signal's task, so an append between the two is not missed.
        if (await journal.LastSequenceAsync(sweepId, cancellationToken) > afterSequence)
            return;
        await waiting.WaitAsync(cancellationToken);
    }

    private Signal SignalOf(string sweepId) => _signals.GetOrAdd(sweepId, _ => new Signal());

    /// <summary>A task that completes at the next append, replaced by a fresh one each time.</summary>
    private sealed class Signal
    {
        private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Lock _gate = new();

        public Task Next()
        {
            lock (_gate)
                return _next.Task;
        }

        public void Set()
        {
            TaskCompletionSource done;
            lock (_gate)
            {
                done = _next;
                _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            done.TrySetResult();
        }
    }
}
