namespace Asl.Distributed.Coordinator.Trials;

/// <summary>Where a trial is: Pending → Scheduled → Running → Completed | Stopped | Failed | Cancelled.</summary>
[GenerateSerializer, Alias("asl.TrialStatus")]
public enum TrialStatus
{
    /// <summary>Waiting for a gang (first, or again after a failure or a release).</summary>
    Pending,
    /// <summary>A gang is allocated and told; no epoch reported yet.</summary>
    Scheduled,
    Running,
    /// <summary>Every epoch ran.</summary>
    Completed,
    /// <summary>Stopped early by the sweep's scheduler; its results stand.</summary>
    Stopped,
    /// <summary>Failed more often than the sweep allows, or its config was refused.</summary>
    Failed,
    Cancelled,
}
