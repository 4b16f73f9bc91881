using System.Buffers.Binary;
using System.Text.RegularExpressions;
using SkiaSharp;

namespace Asl.Distributed.Coordinator.Tests.Reports;

/// <summary>Checks on a written report's files: real PNGs of the stated size with something drawn, and a page whose links all resolve.</summary>
internal static partial class ReportFiles
{
    /// <summary>The PNG's width and height from its IHDR chunk, after checking the signature.</summary>
    public static (int Width, int Height) PngSize(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }), $"{path} has no PNG signature");
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }

    /// <summary>The share of pixels that are not the background's colour (the top-left pixel), and how many colours there are.</summary>
    public static (double Drawn, int Colours) Content(string path)
    {
        using var bitmap = SKBitmap.Decode(path) ?? throw new InvalidOperationException($"{path} does not decode");
        var background = bitmap.GetPixel(0, 0);
        long drawn = 0;
        var colours = new HashSet<SKColor>();
        for (int y = 0; y < bitmap.Height; y++)
        {
            for (int x = 0; x < bitmap.Width; x++)
            {
                var pixel = bitmap.GetPixel(x, y);
                colours.Add(pixel);
                if (pixel != background)
                    drawn++;
            }
        }
        return ((double)drawn / (bitmap.Width * (long)bitmap.Height), colours.Count);
    }

    /// <summary>Every src and href of the page.</summary>
    public static IReadOnlyList<string> References(string html) => [.. Reference().Matches(html).Select(m => m.Groups[2].Value)];

    [GeneratedRegex("(src|href)=\"([^\"]+)\"")]
    private static partial Regex Reference();
}
