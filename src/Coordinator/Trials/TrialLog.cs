using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Coordinator.Trials;

/// <summary>The trial grains' log messages.</summary>
internal sealed partial class TrialLog(ILogger logger)
{
    [LoggerMessage(Level = LogLevel.Information, Message = "trial {TrialId} attempt {Attempt} scheduled on {Workers} (resuming from epoch {Epoch})")]
    public partial void Scheduled(string trialId, int attempt, string workers, int epoch);

    [LoggerMessage(Level = LogLevel.Information, Message = "trial {TrialId} attempt {Attempt} ended: {Status} {Reason}")]
    public partial void AttemptEnded(string trialId, int attempt, TrialStatus status, string reason);
}
