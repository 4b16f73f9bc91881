using Asl.Distributed.Contracts.V1;

namespace Asl.Distributed.Coordinator.Trials;

/// <summary>A trial's status as its wire enum.</summary>
public static class TrialStatusMessages
{
    public static TrialState ToMessage(this TrialStatus status) => status switch
    {
        TrialStatus.Pending => TrialState.Pending,
        TrialStatus.Scheduled => TrialState.Scheduled,
        TrialStatus.Running => TrialState.Running,
        TrialStatus.Completed => TrialState.Completed,
        TrialStatus.Stopped => TrialState.Stopped,
        TrialStatus.Failed => TrialState.Failed,
        TrialStatus.Cancelled => TrialState.Cancelled,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "not a trial status"),
    };
}
