using System.Collections.Concurrent;
using System.Diagnostics;

namespace Asl.Distributed.Benchmarks;

/// <summary>
/// The moments of the load benchmark's trial flow, as <see cref="Stopwatch"/> timestamps taken in this process: each
/// sweep's submission, each assignment's arrival at a simulated worker and each completion's sending. A trial is ready
/// at its sweep's submission, or, in a sweep that runs one trial at a time, at its predecessor's completion; its
/// assignment latency is from then to its arrival.
/// </summary>
internal sealed class TrialFlowClock
{
    private readonly ConcurrentDictionary<string, long> _submitted = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _arrived = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _completionSent = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private int _completed;
    private int _awaited;
    private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _refused;

    /// <summary>Assignments that arrived a second time (a re-delivery); only the first arrival counts.</summary>
    public int Repeated { get; private set; }

    /// <summary>Reports the coordinator refused (FAILED_PRECONDITION and the like).</summary>
    public int Refused => Volatile.Read(ref _refused);

    public void Submitted(string sweepId, long timestamp) => _submitted[sweepId] = timestamp;

    /// <summary>Records the assignment's arrival; false when it had arrived before.</summary>
    public bool Arrived(string trialId, long timestamp)
    {
        if (_arrived.TryAdd(trialId, timestamp))
            return true;
        lock (_gate)
            Repeated++;
        return false;
    }

    public void CompletionSent(string trialId, long timestamp) => _completionSent[trialId] = timestamp;

    /// <summary>Counts a completion the coordinator accepted.</summary>
    public void Completed()
    {
        lock (_gate)
        {
            _completed++;
            if (_completed == _awaited)
                _reached.TrySetResult();
        }
    }

    public void ReportRefused() => Interlocked.Increment(ref _refused);

    /// <summary>Completes when <paramref name="more"/> completions beyond those counted so far have been accepted.</summary>
    public Task Expect(int more)
    {
        lock (_gate)
        {
            _awaited = _completed + more;
            _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _reached.Task;
        }
    }

    public int CompletedCount
    {
        get
        {
            lock (_gate)
                return _completed;
        }
    }

    /// <summary>Milliseconds from the sweep's submission to the trial's arrival.</summary>
    public double SinceSubmission(string sweepId, string trialId) => Milliseconds(_submitted[sweepId], _arrived[trialId]);

    /// <summary>Milliseconds from <paramref name="previousTrialId"/>'s completion being sent to <paramref name="trialId"/>'s arrival.</summary>
    public double SinceCompletion(string previousTrialId, string trialId) => Milliseconds(_completionSent[previousTrialId], _arrived[trialId]);

    private static double Milliseconds(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;
}
