namespace Asl.Distributed.Coordinator.Trials;

/// <summary>Questions about a <see cref="TrialStatus"/>.</summary>
public static class TrialStatusExtensions
{
    /// <summary>Whether the trial has ended for good (nothing of it runs or waits).</summary>
    public static bool HasEnded(this TrialStatus status) =>
        status is TrialStatus.Completed or TrialStatus.Stopped or TrialStatus.Failed or TrialStatus.Cancelled;

    /// <summary>Whether an attempt of it holds workers.</summary>
    public static bool IsActive(this TrialStatus status) => status is TrialStatus.Scheduled or TrialStatus.Running;
}
