namespace Asl.Distributed.Runs;

/// <summary>
/// The exit codes of <c>asl-worker train</c>, one per <see cref="RunExitReason"/>: 0 completed, 1 failed, 2 invalid
/// config or command line, 3 a peer was lost, 4 stopped early on request, 130 interrupted.
/// </summary>
public static class RunExitCodes
{
    public const int Completed = 0;
    public const int Failed = 1;
    public const int InvalidConfig = 2;
    public const int PeerLost = 3;
    public const int Stopped = 4;
    public const int Interrupted = 130;

    /// <summary>The exit code of <paramref name="reason"/>.</summary>
    public static int Of(RunExitReason reason) => reason switch
    {
        RunExitReason.Completed => Completed,
        RunExitReason.Stopped => Stopped,
        RunExitReason.Interrupted => Interrupted,
        RunExitReason.InvalidConfig => InvalidConfig,
        RunExitReason.Failed => Failed,
        RunExitReason.PeerLost => PeerLost,
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "not an exit reason"),
    };

    /// <summary>The reason behind an exit code, or null for a code no run returns (a signal, a crash).</summary>
    public static RunExitReason? ReasonOf(int exitCode) => exitCode switch
    {
        Completed => RunExitReason.Completed,
        Stopped => RunExitReason.Stopped,
        Interrupted => RunExitReason.Interrupted,
        InvalidConfig => RunExitReason.InvalidConfig,
        Failed => RunExitReason.Failed,
        PeerLost => RunExitReason.PeerLost,
        _ => null,
    };
}
