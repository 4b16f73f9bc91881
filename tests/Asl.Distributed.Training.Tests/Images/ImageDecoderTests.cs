using Asl.Distributed.Training.Images;
using SkiaSharp;

namespace Asl.Distributed.Training.Tests.Images;

public sealed class ImageDecoderTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Decode_RgbPng_IsExact()
    {
        var original = TestImages.Photo(37, 23, seed: 1);
        string path = _directory.Write("rgb.png", TestImages.Encode(original, SKEncodedImageFormat.Png));

        var decoded = ImageDecoder.Decode(path);

        Assert.Equal(37, decoded.Width);
        Assert.Equal(23, decoded.Height);
        Assert.Equal(original.Pixels, decoded.Pixels);
    }

    [Fact]
    public void Decode_RgbJpeg_IsCloseToOriginal()
    {
        var original = TestImages.Make(64, 48, (x, y) => ((byte)(x * 4), (byte)(y * 5), 128));
        string path = _directory.Write("rgb.jpg", TestImages.Encode(original, SKEncodedImageFormat.Jpeg, quality: 100));

        var decoded = ImageDecoder.Decode(path);

        Assert.Equal((64, 48), (decoded.Width, decoded.Height));
        double meanError = original.Pixels.Zip(decoded.Pixels, (a, b) => Math.Abs(a - b)).Average();
        Assert.True(meanError < 2.0, $"mean absolute error {meanError}");
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Png)]
    [InlineData(SKEncodedImageFormat.Jpeg)]
    public void Decode_Grayscale_GivesEqualChannels(SKEncodedImageFormat format)
    {
        int width = 32, height = 16;
        var gray = new byte[width * height];
        for (int i = 0; i < gray.Length; i++)
            gray[i] = (byte)(i % width * 8);
        byte[] encoded = TestImages.EncodeRaw(gray, width, height, SKColorType.Gray8, SKAlphaType.Opaque, format, 100);
        string path = _directory.Write("gray." + format, encoded);

        var decoded = ImageDecoder.Decode(path);

        for (int i = 0; i < gray.Length; i++)
        {
            byte r = decoded.Pixels[i * 3];
            Assert.Equal(r, decoded.Pixels[i * 3 + 1]);
            Assert.Equal(r, decoded.Pixels[i * 3 + 2]);
            Assert.InRange(r - gray[i], format == SKEncodedImageFormat.Png ? 0 : -6, format == SKEncodedImageFormat.Png ? 0 : 6);
        }
    }

    [Fact]
    public void Decode_RgbaPng_DropsAlphaAndKeepsStoredColour()
    {
        // Unpremultiplied pixels: colour (200, 100, 50) at alpha 255, 128 and 0, then (10, 20, 30) at alpha 64.
        byte[] rgba = [200, 100, 50, 255, 200, 100, 50, 128, 200, 100, 50, 0, 10, 20, 30, 64];
        byte[] encoded = TestImages.EncodeRaw(rgba, 4, 1, SKColorType.Rgba8888, SKAlphaType.Unpremul, SKEncodedImageFormat.Png);
        string path = _directory.Write("rgba.png", encoded);

        var decoded = ImageDecoder.Decode(path);

        Assert.Equal(new byte[] { 200, 100, 50, 200, 100, 50, 200, 100, 50, 10, 20, 30 }, decoded.Pixels);
    }

    [Fact]
    public void Decode_PalettedPng_MapsIndicesToPaletteColours()
    {
        (byte, byte, byte)[] palette = [(255, 0, 0), (0, 128, 0), (10, 20, 250)];
        byte[] encoded = TestImages.PalettedPng(5, 3, palette, (x, y) => (byte)((x + y) % 3));
        string path = _directory.Write("palette.png", encoded);

        var decoded = ImageDecoder.Decode(path);

        for (int y = 0; y < 3; y++)
        {
            for (int x = 0; x < 5; x++)
                Assert.Equal(palette[(x + y) % 3], TestImages.Get(decoded, x, y));
        }
    }

    [Fact]
    public void Decode_CmykJpeg_GivesRgbLikePillow()
    {
        string path = _directory.Write("cmyk.jpg", Convert.FromBase64String(TestImages.CmykJpegBase64));

        var decoded = ImageDecoder.Decode(path);

        Assert.Equal((16, 8), (decoded.Width, decoded.Height));
        AssertNear((255, 0, 0), TestImages.Get(decoded, 2, 4), 12);
        AssertNear((0, 255, 255), TestImages.Get(decoded, 13, 4), 12);
    }

    [Fact]
    public void Decode_MissingFile_ThrowsNamingTheFile()
    {
        string path = Path.Combine(_directory.Path, "nowhere", "missing.jpg");

        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(path));

        Assert.Equal(path, error.FilePath);
        Assert.Contains(path, error.Message);
        Assert.Contains("does not exist", error.Message);
    }

    [Theory]
    [InlineData("garbage.jpg")]
    [InlineData("empty.png")]
    public void Decode_NotAnImage_ThrowsNamingTheFile(string name)
    {
        byte[] contents = name.StartsWith("empty", StringComparison.Ordinal) ? [] : Enumerable.Range(0, 500).Select(i => (byte)(i * 7)).ToArray();
        string path = _directory.Write(name, contents);

        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(path));

        Assert.Contains(path, error.Message);
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Jpeg)]
    [InlineData(SKEncodedImageFormat.Png)]
    public void Decode_TruncatedFile_ThrowsNamingTheFile(SKEncodedImageFormat format)
    {
        byte[] whole = TestImages.Encode(TestImages.Photo(120, 90, seed: 3), format);
        string path = _directory.Write("truncated." + format, whole[..(whole.Length / 2)]);

        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("truncated", error.Message);
    }

    private static void AssertNear((byte R, byte G, byte B) expected, (byte R, byte G, byte B) actual, int tolerance)
    {
        Assert.True(Math.Abs(expected.R - actual.R) <= tolerance && Math.Abs(expected.G - actual.G) <= tolerance
            && Math.Abs(expected.B - actual.B) <= tolerance, $"expected ≈ {expected}, got {actual}");
    }
}
