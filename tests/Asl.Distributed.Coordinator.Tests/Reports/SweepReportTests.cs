using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Coordinator.Reports;

namespace Asl.Distributed.Coordinator.Tests.Reports;

/// <summary>
/// A sweep's report from the API's own messages: every trial in the leaderboard, the page, the Markdown and the CSV;
/// every plot a real PNG of the stated size with content drawn (text included); every link of the page a file there.
/// </summary>
public sealed class SweepReportTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("asl-report-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Write_GammaClipSweepWithABaseline_WritesEveryPlotPageAndTable()
    {
        var (sweep, trials) = Sweep();

        var files = SweepReport.Write(sweep, trials, rungEpochs: [1, 4], _folder);

        Assert.Equal(["learning-curves.png", "map-vs-gamma-neg.png", "map-heatmap.png", "prob-gap.png", "gamma-neg.png", "rungs.png", "class-ap.png",
            "trials.csv", "trials.json", "index.html", "report.md"], files);
        foreach (var png in files.Where(f => f.EndsWith(".png", StringComparison.Ordinal)))
        {
            string path = Path.Combine(_folder, png);
            Assert.Equal((SweepPlots.Width, SweepPlots.Height), ReportFiles.PngSize(path));
            var (drawn, colours) = ReportFiles.Content(path);
            Assert.True(drawn > 0.02, $"{png}: only {drawn:P1} of its pixels are drawn");
            Assert.True(colours > 20, $"{png}: {colours} colours (antialiased text and lines make many)");
        }
        string html = File.ReadAllText(Path.Combine(_folder, "index.html"));
        var references = ReportFiles.References(html);
        Assert.Equal(9, references.Count); // seven plots and the two tables
        Assert.All(references, r => Assert.True(File.Exists(Path.Combine(_folder, r)), $"index.html references {r}, which is not there"));
        string markdown = File.ReadAllText(Path.Combine(_folder, "report.md"));
        string csv = File.ReadAllText(Path.Combine(_folder, "trials.csv"));
        foreach (var trial in trials)
        {
            Assert.Contains(trial.TrialId, html);
            Assert.Contains(trial.TrialId, markdown);
            Assert.Contains(trial.TrialId, csv);
        }
        // The leaderboard puts the best first.
        Assert.True(html.IndexOf("g.0005", StringComparison.Ordinal) < html.IndexOf("g.0000", StringComparison.Ordinal));
    }

    [Fact]
    public void Write_OneSettingSweepWithoutBaseline_LeavesOutTheHeatmapAndTheClassApPlot()
    {
        var (sweep, trials) = Sweep(clips: [0.05], baseline: false);

        var files = SweepReport.Write(sweep, trials, rungEpochs: [], _folder);

        Assert.DoesNotContain("map-heatmap.png", files);
        Assert.DoesNotContain("class-ap.png", files);
        Assert.Contains("map-vs-gamma-neg.png", files);
        Assert.All(ReportFiles.References(File.ReadAllText(Path.Combine(_folder, "index.html"))), r => Assert.True(File.Exists(Path.Combine(_folder, r))));
    }

    [Fact]
    public void Write_RandomSearchWithAValuePerTrial_DrawsPointsWithoutGroupsOrHeatmap()
    {
        var trials = Enumerable.Range(0, 14).Select(i =>
        {
            var trial = new TrialInfo { TrialId = $"r.{i:0000}", Index = i, State = TrialState.Completed, Seed = i };
            trial.Settings["loss.gamma_neg"] = (1 + 0.37 * i).ToString(System.Globalization.CultureInfo.InvariantCulture);
            trial.Settings["loss.clip"] = (0.007 * i).ToString(System.Globalization.CultureInfo.InvariantCulture);
            trial.Epochs.Add(Epoch(1, 40 + i % 5));
            trial.BestMetric = trial.Epochs[0].Map;
            return trial;
        }).ToList();
        var sweep = new SweepInfo { SweepId = "r", State = SweepState.Finished, TrialCount = 14, TotalEpochs = 14, BestTrialId = "r.0004", BestMetric = 44 };

        var files = SweepReport.Write(sweep, trials, rungEpochs: [], _folder);

        Assert.Contains("map-vs-gamma-neg.png", files);
        Assert.DoesNotContain("map-heatmap.png", files);
        Assert.Contains("Best mAP against γ−.", File.ReadAllText(Path.Combine(_folder, "index.html"))); // no line per loss.clip value
    }

    /// <summary>γ− 1…3 × the clips, 4 epochs each, mAP rising with γ− (the last trial is best); ASHA stopped the first at epoch 1.</summary>
    private static (SweepInfo Sweep, List<TrialInfo> Trials) Sweep(double[]? clips = null, bool baseline = true)
    {
        var trials = new List<TrialInfo>();
        foreach (double clip in clips ?? [0, 0.05])
        {
            foreach (int gamma in new[] { 1, 2, 3 })
            {
                int index = trials.Count;
                int epochs = index == 0 ? 1 : 4;
                var trial = new TrialInfo { TrialId = $"g.{index:0000}", Index = index, State = index == 0 ? TrialState.Stopped : TrialState.Completed, Seed = 100 + index };
                trial.Settings["loss.gamma_neg"] = gamma.ToString(System.Globalization.CultureInfo.InvariantCulture);
                trial.Settings["loss.clip"] = clip.ToString(System.Globalization.CultureInfo.InvariantCulture);
                for (int e = 1; e <= epochs; e++)
                    trial.Epochs.Add(Epoch(e, 40 + 3 * e + gamma + 10 * clip + index * 0.1));
                trial.BestMetric = trial.Epochs.Max(x => Math.Max(x.Map, x.MapEma));
                trials.Add(trial);
            }
        }
        if (baseline)
        {
            var bce = new TrialInfo { TrialId = $"g.{trials.Count:0000}", Index = trials.Count, State = TrialState.Completed, Seed = 7, IsBaseline = true };
            bce.Settings["loss.preset"] = "bce";
            for (int e = 1; e <= 4; e++)
                bce.Epochs.Add(Epoch(e, 38 + 2 * e));
            bce.BestMetric = bce.Epochs.Max(x => Math.Max(x.Map, x.MapEma));
            trials.Add(bce);
        }
        var best = trials.OrderByDescending(t => t.BestMetric).First();
        var sweep = new SweepInfo { SweepId = "g", State = SweepState.Finished, TrialCount = trials.Count, TotalEpochs = trials.Sum(t => t.Epochs.Count), BestTrialId = best.TrialId, BestMetric = best.BestMetric };
        return (sweep, trials);
    }

    private static EpochMetrics Epoch(int epoch, double map)
    {
        var metrics = new EpochMetrics { Epoch = epoch, Map = map, MapEma = map - 0.5, ProbGap = 0.05 * epoch, GammaNeg = 4, TrainLoss = 10.0 / epoch };
        for (int c = 0; c < 12; c++)
            metrics.ClassAp.Add(map - 6 + c);
        return metrics;
    }
}
