using Asl.Distributed.Reports;
using System.Globalization;
using ScottPlot;

namespace Asl.Distributed.Coordinator.Reports;

/// <summary>
/// The report's plots, each a PNG of <see cref="Width"/> × <see cref="Height"/> with a title, axis labels with units
/// and, where there is more than one series, a legend.
/// </summary>
internal static class SweepPlots
{
    public const int Width = ReportPlot.Width;
    public const int Height = ReportPlot.Height;

    /// <summary>A legend with more entries than this is left out (the table names the trials).</summary>
    private const int MaxLegendEntries = 16;

    /// <summary>Every trial's mAP (the better of the regular and the EMA model's) epoch by epoch.</summary>
    public static void LearningCurves(IReadOnlyList<ReportTrial> trials, string path) =>
        Lines(trials, t => t.Map, "Learning curves", "validation mAP (%)", path);

    /// <summary>Every trial's probability gap Δp epoch by epoch.</summary>
    public static void ProbabilityGap(IReadOnlyList<ReportTrial> trials, string path) =>
        Lines(trials, t => [.. t.Info.Epochs.Select(e => e.ProbGap)], "Probability gap Δp over epochs", "Δp (probability)", path);

    /// <summary>Every trial's γ− epoch by epoch (it moves under adaptive asymmetry).</summary>
    public static void GammaNeg(IReadOnlyList<ReportTrial> trials, string path) =>
        Lines(trials, t => [.. t.Info.Epochs.Select(e => e.GammaNeg)], "γ− over epochs", "γ− (focusing parameter)", path);

    /// <summary>
    /// The best mAP against γ−: one line per value of <paramref name="groupBy"/> (for example loss.clip), or one line
    /// when nothing else varies.
    /// </summary>
    public static void MapAgainstGammaNeg(IReadOnlyList<ReportTrial> trials, string? groupBy, string path)
    {
        var plot = NewPlot("Best mAP against γ−", "γ− (loss.gamma_neg)", "best validation mAP (%)");
        var groups = trials.Where(t => t.Number("loss.gamma_neg") is not null && !double.IsNaN(t.Info.BestMetric))
            .GroupBy(t => groupBy is null ? "" : t.Info.Settings.GetValueOrDefault(groupBy, ""))
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var points = group.OrderBy(t => t.Number("loss.gamma_neg")).ToList();
            var line = plot.Add.Scatter(points.Select(t => t.Number("loss.gamma_neg")!.Value).ToArray(), points.Select(t => t.Info.BestMetric).ToArray());
            line.LegendText = groupBy is null ? "best mAP" : $"{groupBy}={group.Key}";
            line.MarkerSize = 7;
            // Sampled γ− values are one point per trial: points, not a line through them.
            if (groupBy is null)
                line.LineWidth = 0;
        }
        plot.ShowLegend();
        plot.SavePng(path, Width, Height);
    }

    /// <summary>The best mAP over two numeric settings as a heatmap (rows: <paramref name="rowKey"/>; columns: <paramref name="columnKey"/>).</summary>
    public static void Heatmap(IReadOnlyList<ReportTrial> trials, string rowKey, string columnKey, string path)
    {
        var rows = trials.Select(t => t.Number(rowKey)).OfType<double>().Distinct().Order().ToList();
        var columns = trials.Select(t => t.Number(columnKey)).OfType<double>().Distinct().Order().ToList();
        var values = new double[rows.Count, columns.Count];
        for (int r = 0; r < rows.Count; r++)
        {
            for (int c = 0; c < columns.Count; c++)
            {
                var cell = trials.Where(t => t.Number(rowKey) == rows[r] && t.Number(columnKey) == columns[c] && !double.IsNaN(t.Info.BestMetric)).ToList();
                values[r, c] = cell.Count == 0 ? double.NaN : cell.Max(t => t.Info.BestMetric);
            }
        }
        var plot = NewPlot($"Best mAP (%) over {rowKey} and {columnKey}", columnKey, rowKey);
        var heatmap = plot.Add.Heatmap(values);
        heatmap.FlipVertically = true;
        plot.Add.ColorBar(heatmap).Label = "best validation mAP (%)";
        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, columns.Count).Select(i => (double)i)], [.. columns.Select(Text)]);
        plot.Axes.Left.SetTicks([.. Enumerable.Range(0, rows.Count).Select(i => (double)i)], [.. rows.Select(Text)]);
        plot.SavePng(path, Width, Height);
    }

    /// <summary>Epochs each trial trained, with the rungs' epochs marked: where ASHA stopped which trial.</summary>
    public static void Rungs(IReadOnlyList<ReportTrial> trials, IReadOnlyList<int> rungEpochs, string path)
    {
        var plot = NewPlot("Epochs trained per trial (ASHA's rungs dashed)", "trial", "epochs trained");
        var bars = plot.Add.Bars([.. trials.Select(t => (double)t.Info.Epochs.Count)]);
        for (int i = 0; i < trials.Count; i++)
        {
            bars.Bars[i].FillColor = trials[i].Info.State == Contracts.V1.TrialState.Stopped ? Colors.Orange : Colors.SteelBlue;
        }
        foreach (int rung in rungEpochs)
        {
            var line = plot.Add.HorizontalLine(rung);
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = $"rung at epoch {rung}";
        }
        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, trials.Count).Select(i => (double)i)], [.. trials.Select(t => "#" + t.Info.Index.ToString(CultureInfo.InvariantCulture))]);
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "completed", FillColor = Colors.SteelBlue });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "stopped early", FillColor = Colors.Orange });
        plot.ShowLegend();
        plot.SavePng(path, Width, Height);
    }

    /// <summary>Per-class AP of the best trial beside the BCE baseline's, class by class.</summary>
    public static void ClassAp(ReportTrial best, ReportTrial baseline, string path)
    {
        var plot = NewPlot("Per-class AP: best trial against the BCE baseline", "class", "AP (%)");
        var bestAp = LastClassAp(best);
        var baseAp = LastClassAp(baseline);
        var bestSeries = plot.Add.Scatter(Enumerable.Range(0, bestAp.Length).Select(i => (double)i).ToArray(), bestAp);
        bestSeries.LegendText = "best " + best.Label;
        var baseSeries = plot.Add.Scatter(Enumerable.Range(0, baseAp.Length).Select(i => (double)i).ToArray(), baseAp);
        baseSeries.LegendText = baseline.Label;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(1);
        plot.ShowLegend();
        plot.SavePng(path, Width, Height);
    }

    /// <summary>The per-class AP of a trial's last epoch (the EMA model's where it is better overall).</summary>
    public static double[] LastClassAp(ReportTrial trial)
    {
        var last = trial.Info.Epochs.LastOrDefault();
        if (last is null)
            return [];
        return last.ClassApEma.Count > 0 && last.MapEma > last.Map ? [.. last.ClassApEma] : [.. last.ClassAp];
    }

    private static void Lines(IReadOnlyList<ReportTrial> trials, Func<ReportTrial, double[]> values, string title, string yLabel, string path)
    {
        var plot = NewPlot(title, "epoch", yLabel);
        foreach (var trial in trials.Where(t => t.Info.Epochs.Count > 0))
        {
            var line = plot.Add.Scatter(trial.Epochs, values(trial));
            line.LegendText = trials.Count <= MaxLegendEntries ? trial.Label : "";
        }
        if (trials.Count <= MaxLegendEntries)
            plot.ShowLegend(Edge.Right);
        plot.SavePng(path, Width, Height);
    }

    private static Plot NewPlot(string title, string xLabel, string yLabel) => ReportPlot.New(title, xLabel, yLabel);

    private static string Text(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
