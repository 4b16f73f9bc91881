using System.Collections.Concurrent;
using System.Diagnostics;
using Asl.Distributed.Telemetry;

namespace Asl.Distributed.Coordinator.Telemetry;

/// <summary>
/// The coordinator's spans of a sweep: <c>asl.sweep</c> → <c>asl.trial</c> (with the trial's settings and seed as
/// attributes) → <c>asl.attempt</c>, whose W3C trace context goes to every rank in its assignment, so that the ranks'
/// <c>asl.rank</c> → <c>asl.epoch</c> spans join the same trace. A span lasts as long as what it stands for, across
/// grain calls, so the open ones live here (a singleton) and each one's context is stored with its grain's state:
/// after a coordinator restart the open spans are lost, but new children keep the stored context and stay in the trace.
/// </summary>
public sealed class SweepTraces : IDisposable
{
    private static readonly ActivitySource Source = new(TelemetryNames.ActivitySource);
    private readonly ConcurrentDictionary<string, Activity> _open = new();

    /// <summary>Opens a sweep's root span; returns its context ("" when no one listens).</summary>
    public string SweepStarted(string sweepId, int trials)
    {
        var previous = Activity.Current;
        Activity.Current = null; // a root, not a child of the API call that submitted it
        try
        {
            return Open($"sweep {sweepId}", "asl.sweep", default, [new(TelemetryNames.SweepId, sweepId), new("asl.sweep.trials", trials)]);
        }
        finally
        {
            Activity.Current = previous;
        }
    }

    /// <summary>Closes a sweep's span.</summary>
    public void SweepEnded(string sweepId, string outcome) => Close($"sweep {sweepId}", outcome, failed: false);

    /// <summary>Opens a trial's span under the sweep's context; its settings and seed are attributes.</summary>
    public string TrialStarted(string trialId, string sweepId, string sweepContext, int index, long seed, IReadOnlyDictionary<string, string> settings)
    {
        var tags = new List<KeyValuePair<string, object?>>
        {
            new(TelemetryNames.SweepId, sweepId),
            new(TelemetryNames.TrialId, trialId),
            new("asl.trial.index", index),
            new("asl.trial.seed", seed),
        };
        tags.AddRange(settings.Select(s => new KeyValuePair<string, object?>($"asl.trial.setting.{s.Key}", s.Value)));
        return Open($"trial {trialId}", "asl.trial", Parse(sweepContext), tags) is { Length: > 0 } context ? context : sweepContext;
    }

    /// <summary>Closes a trial's span with how it ended.</summary>
    public void TrialEnded(string trialId, string status, bool failed) => Close($"trial {trialId}", status, failed);

    /// <summary>Opens an attempt's span under the trial's context; the returned context goes to the ranks.</summary>
    public string AttemptStarted(string trialId, int attempt, string trialContext, IReadOnlyList<string> workers) =>
        Open($"attempt {trialId} {attempt}", "asl.attempt", Parse(trialContext),
            [new(TelemetryNames.TrialId, trialId), new("asl.attempt", attempt), new("asl.attempt.workers", string.Join(",", workers))]) is { Length: > 0 } context
            ? context
            : trialContext;

    /// <summary>Closes an attempt's span with its end reason.</summary>
    public void AttemptEnded(string trialId, int attempt, string reason, bool failed) => Close($"attempt {trialId} {attempt}", reason, failed);

    public void Dispose()
    {
        foreach (var activity in _open.Values)
            activity.Dispose();
        _open.Clear();
    }

    private string Open(string key, string name, ActivityContext parent, IEnumerable<KeyValuePair<string, object?>> tags)
    {
        var previous = Activity.Current;
        var activity = Source.StartActivity(name, ActivityKind.Internal, parent, tags);
        // The span stays open after this call: it must not become the ambient parent of whatever the caller does next.
        Activity.Current = previous;
        if (activity is null)
            return "";
        if (_open.TryRemove(key, out var stale))
            stale.Dispose();
        _open[key] = activity;
        return activity.Id ?? "";
    }

    private void Close(string key, string outcome, bool failed)
    {
        if (!_open.TryRemove(key, out var activity))
            return;
        activity.SetTag("asl.outcome", outcome);
        if (failed)
            activity.SetStatus(ActivityStatusCode.Error, outcome);
        activity.Stop();
    }

    private static ActivityContext Parse(string context) =>
        context.Length > 0 && ActivityContext.TryParse(context, null, out var parsed) ? parsed : default;
}
