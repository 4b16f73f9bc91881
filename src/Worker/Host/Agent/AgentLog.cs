using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Worker.Agent;

/// <summary>What the worker agent reports: its registrations and connections, the attempts it runs, reports held or dropped, its stop.</summary>
internal sealed partial class AgentLog(ILogger logger)
{
    [LoggerMessage(Level = LogLevel.Information,
        Message = "registered with {Address} as {WorkerId} (peers dial {PeerEndpoint}; heartbeat every {IntervalSeconds:G} s; {Running} attempt(s) running)")]
    public partial void Registered(Uri address, string workerId, string peerEndpoint, double intervalSeconds, int running);

    [LoggerMessage(Level = LogLevel.Warning, Message = "coordinator {Address} unavailable ({Status}: {Detail})")]
    public partial void Unavailable(Uri address, StatusCode status, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "connecting to {Address} in {DelaySeconds:F2} s")]
    public partial void Reconnecting(Uri address, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "coordinator {Address} no longer knows this worker; registering again")]
    public partial void Forgotten(Uri address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "coordinator {Address} ended the order stream")]
    public partial void StreamEnded(Uri address);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "coordinator {Address} refused this worker ({Status}: {Detail}); check the worker token (--token-file or ASL_WORKER_TOKEN) and --worker-id")]
    public partial void Refused(Uri address, StatusCode status, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Attempt}: rank {Rank} of {WorldSize}, {Start}, output {OutputDir}")]
    public partial void Assigned(string attempt, int rank, int worldSize, string start, string outputDir);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Attempt}: assigned again while it runs; the running one goes on")]
    public partial void DuplicateAssignment(string attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Attempt}: not started: {Reason}")]
    public partial void Declined(string attempt, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Attempt}: {Outcome}")]
    public partial void AttemptEnded(string attempt, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Attempt}: stopping at the next safe point: {Reason}")]
    public partial void StopOrdered(string attempt, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Attempt}: a stop order for an attempt this worker does not run")]
    public partial void UnknownStop(string attempt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "an order of a kind this agent does not know; ignored")]
    public partial void UnknownOrder();

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Attempt}: the coordinator said stop after epoch {Epoch}: {Reason}")]
    public partial void StopAnswered(string attempt, int epoch, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{What} of {Attempt} was refused and is dropped ({Status}: {Detail})")]
    public partial void ReportDropped(string what, string attempt, StatusCode status, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{What} of {Attempt} is held until the coordinator is back ({Address}: {Status}: {Detail})")]
    public partial void ReportHeld(string what, string attempt, Uri address, StatusCode status, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Attempt}: starting from scratch as assigned; {Checkpoint} of an earlier run will be replaced")]
    public partial void StartingOver(string attempt, string checkpoint);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Attempt}: the failure in full")]
    public partial void AttemptFailureDetail(string attempt, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Attempt}: started {Milliseconds:F1} ms after the previous attempt's end was reported")]
    public partial void StartAfterPrevious(string attempt, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "stopping: {Running} attempt(s) stop at their next safe point and are released to the coordinator")]
    public partial void Stopping(int running);

    [LoggerMessage(Level = LogLevel.Warning, Message = "coordinator {Address} was not told that this worker drains ({Status}: {Detail}); it may assign work that this agent then declines")]
    public partial void DrainNotTold(Uri address, StatusCode status, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Attempt}: not at a safe point after {Seconds:G} s; released with its last checkpoint {Checkpoint}")]
    public partial void NotStoppedInTime(string attempt, double seconds, string checkpoint);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} report(s) could not be delivered within {Seconds:G} s; the coordinator re-queues their trials when this worker's heartbeats stop")]
    public partial void ReportsLeft(int count, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "stopped")]
    public partial void Stopped();
}
