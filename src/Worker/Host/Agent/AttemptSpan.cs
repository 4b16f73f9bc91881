using System.Diagnostics;
using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Telemetry;

namespace Asl.Distributed.Worker.Agent;

/// <summary>
/// One rank's <c>asl.rank</c> span of a trial's attempt, a child of the coordinator's attempt span (its W3C context
/// comes in the assignment), so that the epochs every rank trains form one trace with the coordinator's spans.
/// </summary>
internal static class AttemptSpan
{
    private static readonly ActivitySource Source = new(TelemetryNames.ActivitySource);

    /// <summary>Starts the span (it becomes the current one, the parent of the trainer's); null when no one listens.</summary>
    public static Activity? Start(TrialAssignment assignment, string workerId)
    {
        var parent = assignment.Traceparent.Length > 0 && ActivityContext.TryParse(assignment.Traceparent, null, out var context) ? context : default;
        return Source.StartActivity("asl.rank", ActivityKind.Internal, parent,
        [
            new(TelemetryNames.SweepId, assignment.SweepId),
            new(TelemetryNames.TrialId, assignment.TrialId),
            new("asl.attempt", assignment.Attempt),
            new(TelemetryNames.Rank, assignment.Rank),
            new("asl.world_size", assignment.WorldSize),
            new("asl.worker.id", workerId),
        ]);
    }

    /// <summary>Ends the span with the attempt's outcome.</summary>
    public static void End(Activity? span, AttemptOutcome outcome)
    {
        if (span is null)
            return;
        span.SetTag("asl.outcome", outcome.Reason.ToString());
        if (outcome.Reason is not (Runs.RunExitReason.Completed or Runs.RunExitReason.Stopped))
            span.SetStatus(ActivityStatusCode.Error, outcome.Message);
        span.Dispose();
    }
}
