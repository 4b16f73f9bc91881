using System.Buffers;
using SkiaSharp;

namespace Asl.Distributed.Training.Images;

/// <summary>
/// Decodes JPEG and PNG files (and the other formats Skia reads: BMP, GIF's first frame, WebP) to
/// <see cref="RgbImage"/>. Grayscale and CMYK JPEGs and paletted, grayscale and RGBA PNGs all come out as RGB, the
/// way PIL's <c>Image.open(path).convert("RGB")</c> does it in the official ASL loader: alpha is dropped (not
/// composited onto a background), no colour-profile conversion is applied, and the EXIF orientation is ignored.
/// A truncated file is an error, not a partly grey image (PIL also refuses unless told to load truncated images).
/// Thread-safe: each call uses its own codec.
/// </summary>
public static class ImageDecoder
{
    // 2^28 pixels (1 GiB of RGBA) is far beyond any data-set image; a header claiming more is damage, not data.
    private const long MaxPixels = 1L << 28;

    /// <summary>Reads and decodes <paramref name="path"/>.</summary>
    /// <exception cref="ImageDecodeException">The file is missing, unreadable, not an image, or damaged.</exception>
    public static RgbImage Decode(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] encoded;
        try
        {
            encoded = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ImageDecodeException(path, "the file does not exist", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new ImageDecodeException(path, $"the file cannot be read ({e.Message})", e);
        }

        return Decode(encoded, path);
    }

    /// <summary>Decodes an encoded image held in memory; <paramref name="name"/> is used in error messages.</summary>
    /// <exception cref="ImageDecodeException">The bytes are not an image Skia knows, or are damaged or truncated.</exception>
    public static unsafe RgbImage Decode(ReadOnlySpan<byte> encoded, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (encoded.IsEmpty)
            throw new ImageDecodeException(name, "the file is empty");

        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data)
            ?? throw new ImageDecodeException(name, "not a JPEG or PNG image, or its header is damaged");
        int width = codec.Info.Width;
        int height = codec.Info.Height;
        if (width <= 0 || height <= 0 || (long)width * height > MaxPixels)
            throw new ImageDecodeException(name, $"the header gives an impossible size {width}×{height}");

        // Unpremultiplied RGBA keeps the stored colour of translucent pixels, so dropping alpha gives what PIL gives.
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        int rgbaLength = width * height * 4;
        byte[] rgba = ArrayPool<byte>.Shared.Rent(rgbaLength);
        try
        {
            SKCodecResult result;
            fixed (byte* pointer = rgba)
                result = codec.GetPixels(info, (IntPtr)pointer);
            if (result != SKCodecResult.Success)
                throw new ImageDecodeException(name, Describe(result, codec.EncodedFormat));

            var image = new RgbImage(width, height);
            RgbaToRgb(rgba.AsSpan(0, rgbaLength), image.Pixels);
            return image;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rgba);
        }
    }

    private static void RgbaToRgb(ReadOnlySpan<byte> rgba, Span<byte> rgb)
    {
        for (int source = 0, target = 0; source < rgba.Length; source += 4, target += 3)
        {
            rgb[target] = rgba[source];
            rgb[target + 1] = rgba[source + 1];
            rgb[target + 2] = rgba[source + 2];
        }
    }

    private static string Describe(SKCodecResult result, SKEncodedImageFormat format) => result switch
    {
        SKCodecResult.IncompleteInput => $"the {format} data is truncated",
        SKCodecResult.ErrorInInput => $"the {format} data is corrupt",
        SKCodecResult.InvalidInput => $"the {format} data is invalid",
        _ => $"the {format} decoder failed ({result})",
    };
}
