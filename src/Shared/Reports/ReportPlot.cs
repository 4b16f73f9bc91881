using ScottPlot;

namespace Asl.Distributed.Reports;

/// <summary>A new plot for a report: the report font loaded and set, a title and axis labels (with units).</summary>
public static class ReportPlot
{
    /// <summary>Every report plot's size in pixels.</summary>
    public const int Width = 900;

    /// <summary>Every report plot's size in pixels.</summary>
    public const int Height = 560;

    public static Plot New(string title, string xLabel, string yLabel)
    {
        ReportFonts.Load();
        var plot = new Plot();
        plot.Font.Set(ReportFonts.Family);
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        return plot;
    }
}
