namespace Asl.Distributed.Worker.Launching;

/// <summary>
/// The exit codes of <c>asl-worker</c> (README, "Training"), the same for one rank and for the <c>--nproc</c>
/// launcher, which reports the whole job with them (<see cref="LaunchVerdict"/>).
/// </summary>
public static class WorkerExitCodes
{
    /// <summary>The run completed.</summary>
    public const int Done = 0;

    /// <summary>The run failed: bad data, a non-finite loss, an unusable checkpoint, a rank that could not start.</summary>
    public const int Failed = 1;

    /// <summary>Bad command line or config; nothing was started.</summary>
    public const int BadCommandLine = 2;

    /// <summary>A data-parallel peer was lost; the last checkpoint is intact.</summary>
    public const int LostPeer = 3;

    /// <summary>Interrupted (Ctrl-C, SIGTERM, or the launcher gone); the last checkpoint is intact.</summary>
    public const int Interrupted = 130;
}
