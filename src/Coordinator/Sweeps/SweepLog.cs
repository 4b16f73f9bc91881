using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Coordinator.Sweeps;

/// <summary>The sweep grains' log messages.</summary>
internal sealed partial class SweepLog(ILogger logger)
{
    [LoggerMessage(Level = LogLevel.Information, Message = "sweep {SweepId} submitted: {Trials} trials")]
    public partial void Submitted(string sweepId, int trials);

    [LoggerMessage(Level = LogLevel.Information, Message = "sweep {SweepId} cancelled; {Open} trials stopping")]
    public partial void Cancelled(string sweepId, int open);

    [LoggerMessage(Level = LogLevel.Information, Message = "sweep {SweepId} finished after {Epochs} epochs in all")]
    public partial void Finished(string sweepId, long epochs);
}
