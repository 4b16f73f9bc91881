namespace Asl.Distributed.Training.Events;

/// <summary>
/// How observers (and whoever owns a run) ask it to stop at the end of the current epoch. Unlike cancellation,
/// which stops at the next safe point and reports an interruption, a requested stop finishes the epoch, writes its
/// checkpoint and ends the run as <see cref="Asl.Distributed.Runs.RunExitReason.Stopped"/>. Thread-safe.
/// </summary>
public sealed class RunControl
{
    private volatile string? _stopReason;

    /// <summary>Why a stop was requested, or null while none was.</summary>
    public string? StopReason => _stopReason;

    /// <summary>Whether a stop was requested.</summary>
    public bool StopRequested => _stopReason is not null;

    /// <summary>Asks the run to stop after the current epoch; the first reason given is kept.</summary>
    public void RequestStop(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        Interlocked.CompareExchange(ref _stopReason, reason, null);
    }
}
