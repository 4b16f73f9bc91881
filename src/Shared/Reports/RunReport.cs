using System.Globalization;
using System.Text;
using Asl.Distributed.Runs;
using ScottPlot;

namespace Asl.Distributed.Reports;

/// <summary>
/// One training run's report, written into its output folder's <c>report/</c> by <c>asl-worker train</c>: the learning
/// curves (mAP of the regular and the EMA model, and the training loss), Δp and γ− over epochs, and the per-class AP
/// of the best epoch, as PNGs beside <c>index.html</c> and <c>report.md</c>, which reference them by file name.
/// </summary>
public static class RunReport
{
    /// <summary>Writes the report of <paramref name="epochs"/> into <paramref name="folder"/>; returns the files written.</summary>
    public static IReadOnlyList<string> Write(IReadOnlyList<EpochMetrics> epochs, IReadOnlyList<string> classNames, string folder)
    {
        ReportPage.MakeFolder(folder, "the report folder");
        double[] x = [.. epochs.Select(e => (double)e.Epoch)];
        var plots = new List<(string File, string Caption)>();
        void Save(Plot plot, string file, string caption)
        {
            plot.SavePng(Path.Combine(folder, file), ReportPlot.Width, ReportPlot.Height);
            plots.Add((file, caption));
        }

        var curves = ReportPlot.New("Learning curves", "epoch", "validation mAP (%)");
        curves.Add.Scatter(x, [.. epochs.Select(e => e.Map)]).LegendText = "mAP";
        curves.Add.Scatter(x, [.. epochs.Select(e => e.MapEma)]).LegendText = "mAP of the EMA model";
        curves.ShowLegend();
        Save(curves, "learning-curves.png", "Validation mAP of the regular and the EMA model, epoch by epoch.");

        var loss = ReportPlot.New("Training loss", "epoch", "mean training loss (per global batch)");
        loss.Add.Scatter(x, [.. epochs.Select(e => e.TrainLoss)]).LegendText = "training loss";
        Save(loss, "train-loss.png", "Mean training loss of each epoch.");

        var gap = ReportPlot.New("Probability gap Δp and γ− over epochs", "epoch", "Δp (probability)");
        gap.Add.Scatter(x, [.. epochs.Select(e => e.ProbGap)]).LegendText = "Δp";
        var gamma = gap.Add.Scatter(x, [.. epochs.Select(e => e.GammaNeg)]);
        gamma.LegendText = "γ− (right axis)";
        gamma.Axes.YAxis = gap.Axes.Right;
        gap.Axes.Right.Label.Text = "γ− (focusing parameter)";
        gap.ShowLegend();
        Save(gap, "prob-gap-gamma-neg.png", "The probability gap Δp and γ− (which moves only under adaptive asymmetry), epoch by epoch.");

        var best = epochs.Where(e => !double.IsNaN(e.BestMap)).MaxBy(e => e.BestMap);
        var classAp = best is null ? null : best.MapEma > best.Map ? best.ClassApEma : best.ClassAp;
        if (best is not null && classAp is { Count: > 0 })
        {
            var bars = ReportPlot.New($"Per-class AP at the best epoch ({best.Epoch})", "class", "AP (%)");
            bars.Add.Bars([.. classAp.Select(v => double.IsNaN(v) ? 0 : v)]);
            if (classAp.Count <= 40)
            {
                var names = classAp.Select((_, i) => i < classNames.Count ? classNames[i] : i.ToString(CultureInfo.InvariantCulture)).ToArray();
                bars.Axes.Bottom.SetTicks([.. Enumerable.Range(0, names.Length).Select(i => (double)i)], names);
                if (names.Length > 8)
                {
                    // Slanted, with room below the axis for the longest name.
                    bars.Axes.Bottom.TickLabelStyle.Rotation = 45;
                    bars.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
                    bars.Axes.Bottom.MinimumSize = 40 + 7 * names.Max(n => n.Length);
                }
            }
            Save(bars, "class-ap.png", "Per-class AP of the better model at the best epoch (a class without positives in the validation set shows 0).");
        }

        File.WriteAllText(Path.Combine(folder, "index.html"), Html(epochs, best, plots));
        File.WriteAllText(Path.Combine(folder, "report.md"), Markdown(epochs, best, plots));
        return [.. plots.Select(p => p.File), "index.html", "report.md"];
    }

    private static string Summary(IReadOnlyList<EpochMetrics> epochs, EpochMetrics? best) => string.Create(CultureInfo.InvariantCulture,
        $"{epochs.Count} epoch(s); best mAP {(best is null ? "–" : $"{best.BestMap:0.00} at epoch {best.Epoch}")}.");

    private static string Html(IReadOnlyList<EpochMetrics> epochs, EpochMetrics? best, List<(string File, string Caption)> plots)
    {
        var html = ReportPage.Start("Training run", Summary(epochs, best));
        html.AppendLine("<table>\n<tr><th>epoch</th><th>train loss</th><th>mAP (%)</th><th>mAP EMA (%)</th><th>CF1 (%)</th><th>OF1 (%)</th><th>Δp</th><th>γ−</th></tr>");
        foreach (var e in epochs)
            html.AppendLine(string.Create(CultureInfo.InvariantCulture, $"<tr><td>{e.Epoch}</td><td>{e.TrainLoss:0.###}</td><td>{e.Map:0.00}</td><td>{e.MapEma:0.00}</td><td>{e.Cf1:0.00}</td><td>{e.Of1:0.00}</td><td>{e.ProbGap:0.####}</td><td>{e.GammaNeg:0.###}</td></tr>"));
        html.AppendLine("</table>");
        return html.Figures(plots).End();
    }

    private static string Markdown(IReadOnlyList<EpochMetrics> epochs, EpochMetrics? best, List<(string File, string Caption)> plots)
    {
        var md = new StringBuilder($"# Training run\n\n{Summary(epochs, best)}\n\n| epoch | train loss | mAP (%) | mAP EMA (%) | CF1 (%) | OF1 (%) | Δp | γ− |\n|---|---|---|---|---|---|---|---|\n");
        foreach (var e in epochs)
            md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {e.Epoch} | {e.TrainLoss:0.###} | {e.Map:0.00} | {e.MapEma:0.00} | {e.Cf1:0.00} | {e.Of1:0.00} | {e.ProbGap:0.####} | {e.GammaNeg:0.###} |"));
        return md.MarkdownFigures(plots).ToString();
    }
}
