namespace Asl.Distributed.Reports;

/// <summary>
/// The font every plot's text is drawn in, loaded from its file: the SkiaSharp natives the project uses have no
/// fontconfig, so a font found by family name alone would draw no text at all. DejaVu Sans comes with Debian's
/// fonts-dejavu-core (installed by .ci/run and the README's set-up).
/// </summary>
public static class ReportFonts
{
    /// <summary>The family name the plots use.</summary>
    public const string Family = "DejaVu Sans";

    /// <summary>Where the font file is looked for, in order.</summary>
    public static readonly string[] Candidates =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    ];

    private static readonly Lock Gate = new();
    private static bool _loaded;

    /// <summary>Loads the font once; throws a <see cref="ReportException"/> naming the files looked for when none is there.</summary>
    public static void Load()
    {
        lock (Gate)
        {
            if (_loaded)
                return;
            string path = Candidates.FirstOrDefault(File.Exists)
                ?? throw new ReportException($"no font for the plots' text: none of {string.Join(", ", Candidates)} exists; install Debian's fonts-dejavu-core");
            ScottPlot.Fonts.AddFontFile(Family, path);
            ScottPlot.Fonts.Default = Family;
            _loaded = true;
        }
    }
}
