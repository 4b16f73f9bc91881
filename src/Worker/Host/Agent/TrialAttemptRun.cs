using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Training.Events;

namespace Asl.Distributed.Worker.Agent;

/// <summary>
/// One attempt this worker runs, from its assignment until its end was reported: the run's stop control, the
/// cancellation that stops it at the next safe point (with why), and where it stands (last epoch, last checkpoint)
/// for heartbeats and registrations. Thread-safe.
/// </summary>
internal sealed class TrialAttemptRun(TrialAssignment assignment)
{
    private readonly CancellationTokenSource _cancel = new();
    private string? _cancelReason;
    private volatile string? _lastCheckpoint;
    private volatile int _lastEpoch;
    private volatile bool _training = true;
    private int _endReported;

    public TrialAssignment Assignment { get; } = assignment;

    /// <summary>When the assignment arrived (a <see cref="TimeProvider"/> timestamp).</summary>
    public long Received { get; init; }

    public AttemptKey Key { get; } = new(assignment.TrialId, assignment.Attempt);

    public int Rank => Assignment.Rank;

    /// <summary>Through which the coordinator's "stop at this epoch's end" reaches the trainer.</summary>
    public RunControl Control { get; } = new();

    /// <summary>Stops the trainer at its next safe point (its checkpoint intact).</summary>
    public CancellationToken Cancellation => _cancel.Token;

    /// <summary>Why it was cancelled; null unless it was.</summary>
    public string? CancelReason => Volatile.Read(ref _cancelReason);

    /// <summary>The last epoch it finished (0 before the first, the resume point after a resume).</summary>
    public int LastEpoch { get => _lastEpoch; set => _lastEpoch = value; }

    /// <summary>The last checkpoint written (rank 0), or null before the first.</summary>
    public string? LastCheckpoint { get => _lastCheckpoint; set => _lastCheckpoint = value; }

    /// <summary>True while its trainer runs; false once it ended (its end report may still be on its way).</summary>
    public bool Training { get => _training; set => _training = value; }

    /// <summary>Asks the trainer to stop at its next safe point; the first reason is kept.</summary>
    public void Cancel(string reason)
    {
        Interlocked.CompareExchange(ref _cancelReason, reason, null);
        _cancel.Cancel();
    }

    /// <summary>True the first time only: the attempt's end is reported once, by its run or by a stopping agent that gave up waiting.</summary>
    public bool TryMarkEndReported() => Interlocked.Exchange(ref _endReported, 1) == 0;

    public RunningAttempt ToRunning() => new() { TrialId = Key.TrialId, Attempt = Key.Attempt, Rank = Rank, Epoch = LastEpoch };
}
