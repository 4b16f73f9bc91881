using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Coordinator.Workers;

/// <summary>The worker registry's log messages.</summary>
internal sealed partial class RegistryLog(ILogger logger)
{
    [LoggerMessage(Level = LogLevel.Information, Message = "worker {WorkerId} on {Host} registered (capacity {Capacity}, known before: {Known}, running {Running})")]
    public partial void Registered(string workerId, string host, int capacity, bool known, int running);

    [LoggerMessage(Level = LogLevel.Information, Message = "worker {WorkerId} is draining: its agent is stopping, no new attempts go to it ({Running} allocated)")]
    public partial void Draining(string workerId, int running);

    [LoggerMessage(Level = LogLevel.Information, Message = "trial {TrialId} attempt {Attempt} allocated to {Workers}")]
    public partial void Allocated(string trialId, int attempt, string workers);

    [LoggerMessage(Level = LogLevel.Warning, Message = "worker {WorkerId} dropped: no heartbeat for {Seconds} s")]
    public partial void Dropped(string workerId, double seconds);
}
