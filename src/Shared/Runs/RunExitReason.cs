namespace Asl.Distributed.Runs;

/// <summary>How a training run ended. <see cref="RunExitCodes"/> gives each its process exit code.</summary>
public enum RunExitReason
{
    /// <summary>Every scheduled epoch ran.</summary>
    Completed,
    /// <summary>An observer (a scheduler such as ASHA) asked it to stop; it stopped after an epoch with its checkpoint written.</summary>
    Stopped,
    /// <summary>Ctrl-C, SIGTERM or a lost launcher stopped it at a safe point; the last checkpoint is intact.</summary>
    Interrupted,
    /// <summary>The configuration or command line was refused before any work.</summary>
    InvalidConfig,
    /// <summary>Bad data, a non-finite loss or score under the fail policy, an unusable checkpoint or an unexpected error.</summary>
    Failed,
    /// <summary>A data-parallel peer rank was lost; the last checkpoint is intact.</summary>
    PeerLost,
}
