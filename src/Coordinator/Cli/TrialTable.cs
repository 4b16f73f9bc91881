using System.Globalization;
using Asl.Distributed.Contracts.V1;

namespace Asl.Distributed.Coordinator.Cli;

/// <summary>The live view of a sweep's trials: one line per trial (state, epoch, metric, best so far) and a summary.</summary>
public static class TrialTable
{
    /// <summary>The table's lines for <paramref name="sweep"/> and its <paramref name="trials"/>, in trial order.</summary>
    public static IReadOnlyList<string> Render(SweepInfo sweep, IReadOnlyList<TrialInfo> trials)
    {
        var swept = trials.SelectMany(t => t.Settings.Keys).Distinct().ToList();
        var header = new List<string> { "trial", "state", "epoch", "metric", "best" };
        header.AddRange(swept);
        var rows = new List<List<string>> { header };
        foreach (var t in trials.OrderBy(t => t.Index))
        {
            var last = t.Epochs.Count > 0 ? t.Epochs[^1] : null;
            var row = new List<string>
            {
                t.TrialId + (t.IsBaseline ? " (baseline)" : ""),
                StateName(t.State),
                last?.Epoch.ToString(CultureInfo.InvariantCulture) ?? "-",
                last is null ? "-" : Number(last.Map),
                Number(t.BestMetric),
            };
            row.AddRange(swept.Select(k => t.Settings.TryGetValue(k, out var v) ? v : ""));
            rows.Add(row);
        }
        var widths = Enumerable.Range(0, header.Count).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var lines = rows.Select(r => string.Join("  ", r.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd()).ToList();
        lines.Add(Summary(sweep));
        return lines;
    }

    /// <summary>One line: the sweep's state, trials by state, epochs run and the best trial.</summary>
    public static string Summary(SweepInfo sweep)
    {
        var counts = string.Join(", ", sweep.TrialsByState.OrderBy(p => p.Key)
            .Select(p => $"{p.Value} {StateName((TrialState)p.Key)}"));
        string best = sweep.BestTrialId.Length > 0 ? $"best {sweep.BestTrialId} ({Number(sweep.BestMetric)})" : "no metric yet";
        return string.Create(CultureInfo.InvariantCulture,
            $"sweep {sweep.SweepId}: {StateName(sweep.State)}; {sweep.TrialCount} trials ({counts}); {sweep.TotalEpochs} epochs; {best}");
    }

    public static string StateName(TrialState state) => state switch
    {
        TrialState.Pending => "pending",
        TrialState.Scheduled => "scheduled",
        TrialState.Running => "running",
        TrialState.Completed => "completed",
        TrialState.Stopped => "stopped",
        TrialState.Failed => "failed",
        TrialState.Cancelled => "cancelled",
        _ => "unknown",
    };

    public static string StateName(SweepState state) => state switch
    {
        SweepState.Running => "running",
        SweepState.Finished => "finished",
        SweepState.Cancelled => "cancelled",
        _ => "unknown",
    };

    private static string Number(double value) => double.IsNaN(value) ? "-" : value.ToString("0.00", CultureInfo.InvariantCulture);
}
