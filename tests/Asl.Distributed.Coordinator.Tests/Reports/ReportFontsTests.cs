using Asl.Distributed.Reports;
using Asl.Distributed.Coordinator.Reports;

namespace Asl.Distributed.Coordinator.Tests.Reports;

/// <summary>
/// The plots' text renders here as on a fresh machine: SkiaSharp's natives have no fontconfig, so without the font
/// loaded from its file a plot draws no text at all (seen: axes and lines, no title, labels or ticks).
/// </summary>
public sealed class ReportFontsTests
{
    [Fact]
    public void Load_APlotOfTextAlone_DrawsTheText()
    {
        ReportFonts.Load();
        var plot = new ScottPlot.Plot();
        plot.Font.Set(ReportFonts.Family);
        plot.HideAxesAndGrid();
        plot.Add.Text("mAP γ− 42", 0, 0).LabelFontSize = 60;
        string path = Path.Combine(Path.GetTempPath(), $"asl-font-{Guid.NewGuid():N}.png");
        try
        {
            plot.SavePng(path, 600, 200);

            var (drawn, _) = ReportFiles.Content(path);
            Assert.True(drawn > 0.01, $"only {drawn:P2} of the pixels are drawn: the text did not render");
            Assert.Equal(ReportFonts.Family, ScottPlot.Fonts.Default);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
