namespace Asl.Distributed.Coordinator.Trials;

/// <summary>How an attempt failed, which decides whether it counts against the sweep's max_failures_per_trial.</summary>
[GenerateSerializer, Alias("asl.TrialFailureKind")]
public enum TrialFailureKind
{
    /// <summary>The run failed, or a worker of its gang was lost: counted; retried from the checkpoint while allowed.</summary>
    Error,
    /// <summary>An agent stopped it at a safe point because the agent is stopping: re-queued, not counted.</summary>
    Released,
    /// <summary>A worker refused the config: the trial fails at once (a retry cannot help).</summary>
    InvalidConfig,
}
