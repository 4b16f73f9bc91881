using Asl.Distributed.Coordinator.Tests.Reports;
using Asl.Distributed.Reports;
using Asl.Distributed.Runs;

namespace Asl.Distributed.Shared.Tests.Reports;

/// <summary>A training run's report: every plot a real PNG of the stated size with content drawn; every link of the page a file there; every epoch in its table.</summary>
public sealed class RunReportTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("asl-run-report-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Write_FourEpochsWithClassAp_WritesEveryPlotAndAPageThatLinksThem()
    {
        string[] classes = ["person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "traffic light"];
        var epochs = Enumerable.Range(1, 4).Select(e => new EpochMetrics(e, 10L * e, 20.0 / e, 1e-4, 40 + e, 41 + e, 9, 30 + e, 35 + e, 0.02 * e, 4 + 0.5 * e,
            300, 12, 0, ClassAp: [.. classes.Select((_, c) => 30.0 + c + e)], ClassApEma: [.. classes.Select((_, c) => 31.0 + c + e)])).ToList();

        var files = RunReport.Write(epochs, classes, _folder);

        Assert.Equal(["learning-curves.png", "train-loss.png", "prob-gap-gamma-neg.png", "class-ap.png", "index.html", "report.md"], files);
        foreach (var png in files.Where(f => f.EndsWith(".png", StringComparison.Ordinal)))
        {
            string path = Path.Combine(_folder, png);
            Assert.Equal((ReportPlot.Width, ReportPlot.Height), ReportFiles.PngSize(path));
            var (drawn, colours) = ReportFiles.Content(path);
            Assert.True(drawn > 0.02 && colours > 20, $"{png}: {drawn:P1} drawn, {colours} colours");
        }
        string html = File.ReadAllText(Path.Combine(_folder, "index.html"));
        Assert.Equal(4, ReportFiles.References(html).Count);
        Assert.All(ReportFiles.References(html), r => Assert.True(File.Exists(Path.Combine(_folder, r))));
        Assert.Contains("best mAP 45.00 at epoch 4", html);
        Assert.Equal(4, html.Split("<tr><td>").Length - 1);
        Assert.Contains("| 4 | 5 | 44.00 | 45.00 |", File.ReadAllText(Path.Combine(_folder, "report.md")));
    }
}
