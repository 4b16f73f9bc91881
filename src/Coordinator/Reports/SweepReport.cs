using Asl.Distributed.Reports;
using System.Globalization;
using System.Text;
using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Coordinator.Cli;

namespace Asl.Distributed.Coordinator.Reports;

/// <summary>
/// A sweep as a page a person would rather look at than read: <c>index.html</c> (and the same as <c>report.md</c>)
/// with the leaderboard and PNG plots beside it — learning curves, best mAP against γ− (a heatmap where two numeric
/// settings vary), Δp and γ− over epochs, the epochs each trial trained against ASHA's rungs, and the best trial's
/// per-class AP against the BCE baseline's — plus <c>trials.csv</c> and <c>trials.json</c> with every setting, seed and
/// metric. Everything is written into one folder, which the page references by file name only.
/// </summary>
public static class SweepReport
{
    /// <summary>Writes the report into <paramref name="folder"/>; returns the files written.</summary>
    public static IReadOnlyList<string> Write(SweepInfo sweep, IReadOnlyList<TrialInfo> trials, IReadOnlyList<int> rungEpochs, string folder)
    {
        ReportPage.MakeFolder(folder, "--out");
        var all = trials.OrderBy(t => t.Index).Select(t => new ReportTrial(t)).ToList();
        var plots = new List<(string File, string Caption)>();
        void Plot(string file, string caption, Action<string> draw)
        {
            draw(Path.Combine(folder, file));
            plots.Add((file, caption));
        }

        Plot("learning-curves.png", "Validation mAP (the better of the regular and the EMA model) of every trial, epoch by epoch.", p => SweepPlots.LearningCurves(all, p));
        var numeric = Varying(all).Where(k => all.All(t => !t.Info.Settings.ContainsKey(k) || t.Number(k) is not null)).ToList();
        if (numeric.Contains("loss.gamma_neg"))
        {
            // A setting sampled from a range (random search) has a value per trial: lines per value and a heatmap only
            // make sense for a few values, as a grid has.
            string? other = numeric.FirstOrDefault(k => k != "loss.gamma_neg" && Values(all, k) <= MaxGroups);
            Plot("map-vs-gamma-neg.png", other is null ? "Best mAP against γ−." : $"Best mAP against γ−, one line per {other}.",
                p => SweepPlots.MapAgainstGammaNeg(all, other, p));
            if (numeric.Count == 2 && numeric.All(k => Values(all, k) <= MaxHeatmapSide))
                Plot("map-heatmap.png", $"Best mAP over {numeric[0]} and {numeric[1]}.", p => SweepPlots.Heatmap(all, numeric[0], numeric[1], p));
        }
        Plot("prob-gap.png", "The probability gap Δp (mean probability of the positives minus that of the negatives) over epochs.", p => SweepPlots.ProbabilityGap(all, p));
        Plot("gamma-neg.png", "γ− over epochs (it moves only under adaptive asymmetry).", p => SweepPlots.GammaNeg(all, p));
        Plot("rungs.png", rungEpochs.Count > 0 ? "Epochs each trial trained; ASHA stopped the orange ones at a rung (dashed)." : "Epochs each trial trained.",
            p => SweepPlots.Rungs(all, rungEpochs, p));
        var best = all.FirstOrDefault(t => t.Info.TrialId == sweep.BestTrialId);
        var baseline = all.FirstOrDefault(t => t.Info.IsBaseline && t.Info.Settings.TryGetValue("loss.preset", out var preset) && preset == "bce");
        if (best is not null && baseline is not null && SweepPlots.LastClassAp(best).Length > 0 && SweepPlots.LastClassAp(baseline).Length > 0)
            Plot("class-ap.png", "Per-class AP at the last epoch: the best trial against the BCE baseline.", p => SweepPlots.ClassAp(best, baseline, p));

        File.WriteAllText(Path.Combine(folder, "trials.csv"), ResultsExport.Csv(sweep, trials));
        File.WriteAllText(Path.Combine(folder, "trials.json"), ResultsExport.Json(sweep, trials));
        File.WriteAllText(Path.Combine(folder, "index.html"), Html(sweep, all, plots));
        File.WriteAllText(Path.Combine(folder, "report.md"), Markdown(sweep, all, plots));
        return [.. plots.Select(p => p.File), "trials.csv", "trials.json", "index.html", "report.md"];
    }

    /// <summary>Most values of a setting that still get one line each in the mAP-against-γ− plot.</summary>
    private const int MaxGroups = 6;

    /// <summary>Most values of each of two settings that still make a heatmap.</summary>
    private const int MaxHeatmapSide = 12;

    private static int Values(IReadOnlyList<ReportTrial> trials, string key) =>
        trials.Where(t => !t.Info.IsBaseline && t.Info.Settings.ContainsKey(key)).Select(t => t.Info.Settings[key]).Distinct().Count();

    /// <summary>The settings that take more than one value over the sweep's trials (baselines aside).</summary>
    private static List<string> Varying(IReadOnlyList<ReportTrial> trials) =>
        [.. trials.Where(t => !t.Info.IsBaseline).SelectMany(t => t.Info.Settings).GroupBy(s => s.Key)
            .Where(g => g.Select(s => s.Value).Distinct().Count() > 1).Select(g => g.Key).Order(StringComparer.Ordinal)];

    private static IEnumerable<ReportTrial> Leaderboard(IReadOnlyList<ReportTrial> trials) =>
        trials.OrderByDescending(t => double.IsNaN(t.Info.BestMetric) ? double.NegativeInfinity : t.Info.BestMetric);

    private static string Html(SweepInfo sweep, IReadOnlyList<ReportTrial> trials, List<(string File, string Caption)> plots)
    {
        static string E(string text) => ReportPage.E(text);
        var html = ReportPage.Start($"Sweep {sweep.SweepId}", Summary(sweep, trials));
        html.AppendLine("<h2>Leaderboard</h2>\n<table>\n<tr><th>rank</th><th class=\"l\">trial</th><th class=\"l\">settings</th><th>seed</th><th class=\"l\">state</th><th>epochs</th><th>best mAP (%)</th></tr>");
        int rank = 1;
        foreach (var t in Leaderboard(trials))
        {
            html.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"<tr><td>{rank++}</td><td class=\"l\">{E(t.Info.TrialId)}</td><td class=\"l\">{E(t.Label)}</td><td>{t.Info.Seed}</td><td class=\"l\">{E(TrialTable.StateName(t.Info.State))}</td><td>{t.Info.Epochs.Count}</td><td>{Metric(t.Info.BestMetric)}</td></tr>"));
        }
        html.AppendLine("</table>");
        html.Figures(plots);
        html.AppendLine("<p>Every trial with every setting, seed and metric: <a href=\"trials.csv\">trials.csv</a>, <a href=\"trials.json\">trials.json</a> (every epoch).</p>");
        return html.End();
    }

    private static string Markdown(SweepInfo sweep, IReadOnlyList<ReportTrial> trials, List<(string File, string Caption)> plots)
    {
        var md = new StringBuilder();
        md.AppendLine($"# Sweep {sweep.SweepId}\n\n{Summary(sweep, trials)}\n\n## Leaderboard\n");
        md.AppendLine("| rank | trial | settings | seed | state | epochs | best mAP (%) |\n|---|---|---|---|---|---|---|");
        int rank = 1;
        foreach (var t in Leaderboard(trials))
            md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {rank++} | {t.Info.TrialId} | {t.Label.Replace("|", "\\|", StringComparison.Ordinal)} | {t.Info.Seed} | {TrialTable.StateName(t.Info.State)} | {t.Info.Epochs.Count} | {Metric(t.Info.BestMetric)} |"));
        md.MarkdownFigures(plots);
        md.AppendLine("\nEvery trial with every setting, seed and metric: [trials.csv](trials.csv), [trials.json](trials.json).");
        return md.ToString();
    }

    private static string Summary(SweepInfo sweep, IReadOnlyList<ReportTrial> trials) => string.Create(CultureInfo.InvariantCulture,
        $"{trials.Count} trials, {sweep.TotalEpochs} epochs in all, {TrialTable.StateName(sweep.State)}; best: {(sweep.BestTrialId.Length > 0 ? $"{sweep.BestTrialId} at {Metric(sweep.BestMetric)} mAP" : "none yet")}.");

    private static string Metric(double value) => double.IsNaN(value) ? "–" : value.ToString("0.00", CultureInfo.InvariantCulture);
}
