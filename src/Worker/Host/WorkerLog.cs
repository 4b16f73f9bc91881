using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Worker;

/// <summary>What <c>asl-worker</c> itself reports: refusals before work, how a run ended, ranks joining.</summary>
internal sealed partial class WorkerLog(ILogger logger)
{
    [LoggerMessage(Level = LogLevel.Error, Message = "config error: {Problem}")]
    public partial void ConfigError(string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Problem}; {Usage}")]
    public partial void UsageError(string problem, string usage);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Problem}")]
    public partial void Refused(string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "rank {Rank} of {WorldSize} joined the ring ({Address})")]
    public partial void Joined(int rank, int worldSize, string address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "stopped on request after epoch {Epoch}: {Reason}; {Resume}")]
    public partial void Stopped(int epoch, string reason, string resume);

    [LoggerMessage(Level = LogLevel.Information, Message = "report: {Page}")]
    public partial void Report(string page);

    [LoggerMessage(Level = LogLevel.Warning, Message = "no report: {Problem}")]
    public partial void NoReport(string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "interrupted; {Resume}")]
    public partial void Interrupted(string resume);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Error}; {Resume}")]
    public partial void PeerLost(string error, string resume);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Error}")]
    public partial void Failed(string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "the failure in full")]
    public partial void FailureDetail(Exception exception);
}
