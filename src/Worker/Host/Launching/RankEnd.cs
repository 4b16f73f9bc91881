namespace Asl.Distributed.Worker.Launching;

/// <summary>How one rank of a launched job ended, as far as its exit code tells (<see cref="RankOutcome.End"/>).</summary>
public enum RankEnd
{
    /// <summary>Exit code 0: it completed its run.</summary>
    Completed,

    /// <summary>A failure of its own: 1, 2, or any other code that is neither a lost peer, an interruption nor a signal.</summary>
    Failed,

    /// <summary>Exit code 4: it stopped after an epoch because a scheduler asked it to (every rank stops together).</summary>
    Stopped,

    /// <summary>Exit code 3: it lost a peer (a consequence of another rank's end, not a cause).</summary>
    LostPeer,

    /// <summary>Exit code 130 (it stopped on request, or died of SIGINT) or 143 (it died of SIGTERM).</summary>
    Interrupted,

    /// <summary>Killed by any other signal (exit code 128 + n, as the shell reports it) or ended with a negative code.</summary>
    Killed,

    /// <summary>Still running at the end of the launcher's grace period and killed by the launcher.</summary>
    KilledByLauncher,
}
