using System.Buffers.Binary;
using System.IO.Compression;
using Asl.Distributed.Training.Images;
using SkiaSharp;

namespace Asl.Distributed.Training.Tests.Images;

/// <summary>Builds test images in memory and encodes them with SkiaSharp (or by hand where Skia cannot).</summary>
internal static class TestImages
{
    /// <summary>
    /// A 16 × 8 CMYK JPEG with an Adobe APP14 marker (inverted CMYK, as Photoshop writes it): left half C=0 M=255
    /// Y=255 K=0 (red), right half C=255 M=0 Y=0 K=0 (cyan). SkiaSharp cannot encode CMYK, so this fixture was written
    /// once by Pillow 9.4 (<c>Image.new("CMYK", …).save(…, "JPEG", quality=95)</c>); Pillow decodes it to (255, 0, 0)
    /// and (0, 255, 255).
    /// </summary>
    public const string CmykJpegBase64 =
        "/9j/7gAOQWRvYmUAZAAAAAAA/9sAQwACAQEBAQECAQEBAgICAgIEAwICAgIFBAQDBAYFBgYGBQYGBgcJCAYHCQcGBggLCAkKCgoKCgYICwwLCgwJCgoK/8AAFAgACAAQBEMRAE0RAFkRAEsRAP/EAB8AAAEFAQEBAQEBAAAAAAAAAAABAgMEBQYHCAkKC//EALUQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh4uPk5ebn6Onq8fLz9PX29/j5+v/aAA4EQwBNAFkASwAAPwD9/K/n/r+f+v38r+AOv7/K/v8AKK//2Q==";

    /// <summary>An image whose pixel (x, y) is <paramref name="color"/>(x, y).</summary>
    public static RgbImage Make(int width, int height, Func<int, int, (byte R, byte G, byte B)> color)
    {
        var image = new RgbImage(width, height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
                Set(image, x, y, color(x, y));
        }

        return image;
    }

    /// <summary>A smooth, colourful, slightly noisy image, like a photograph as far as codecs and filters care.</summary>
    public static RgbImage Photo(int width, int height, int seed)
    {
        var random = new Random(seed);
        double phase = random.NextDouble() * 6;
        return Make(width, height, (x, y) => (
            Clamp(128 + 100 * Math.Sin(x * 0.05 + phase) + random.Next(-10, 11)),
            Clamp(128 + 100 * Math.Cos(y * 0.07 - phase) + random.Next(-10, 11)),
            Clamp((x + y) * 255.0 / (width + height) + random.Next(-10, 11))));
    }

    public static (byte R, byte G, byte B) Get(RgbImage image, int x, int y)
    {
        int p = (y * image.Width + x) * 3;
        return (image.Pixels[p], image.Pixels[p + 1], image.Pixels[p + 2]);
    }

    public static void Set(RgbImage image, int x, int y, (byte R, byte G, byte B) color)
    {
        int p = (y * image.Width + x) * 3;
        (image.Pixels[p], image.Pixels[p + 1], image.Pixels[p + 2]) = color;
    }

    public static byte Clamp(double value) => (byte)Math.Clamp(Math.Round(value), 0, 255);

    /// <summary>Encodes an RGB image as JPEG or PNG with SkiaSharp.</summary>
    public static byte[] Encode(RgbImage image, SKEncodedImageFormat format, int quality = 95)
    {
        var rgba = new byte[image.Width * image.Height * 4];
        for (int i = 0, p = 0; p < image.Pixels.Length; i += 4, p += 3)
        {
            rgba[i] = image.Pixels[p];
            rgba[i + 1] = image.Pixels[p + 1];
            rgba[i + 2] = image.Pixels[p + 2];
            rgba[i + 3] = 255;
        }

        return EncodeRaw(rgba, image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul, format, quality);
    }

    /// <summary>Encodes raw pixels of any Skia colour type (Gray8 gives a grayscale file).</summary>
    public static byte[] EncodeRaw(byte[] pixels, int width, int height, SKColorType colorType, SKAlphaType alphaType, SKEncodedImageFormat format, int quality = 95)
    {
        var info = new SKImageInfo(width, height, colorType, alphaType);
        using var bitmap = new SKBitmap(info);
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var data = bitmap.Encode(format, quality);
        return data.ToArray();
    }

    /// <summary>
    /// A paletted (colour type 3) 8-bit PNG written by hand, since Skia does not encode palettes: IHDR, PLTE, one
    /// zlib IDAT with filter byte 0 per row, IEND.
    /// </summary>
    public static byte[] PalettedPng(int width, int height, (byte R, byte G, byte B)[] palette, Func<int, int, byte> index)
    {
        using var output = new MemoryStream();
        output.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;
        header[9] = 3;
        WriteChunk(output, "IHDR", header);
        WriteChunk(output, "PLTE", palette.SelectMany(c => new[] { c.R, c.G, c.B }).ToArray());
        using var raw = new MemoryStream();
        using (var zlib = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (int y = 0; y < height; y++)
            {
                zlib.WriteByte(0);
                for (int x = 0; x < width; x++)
                    zlib.WriteByte(index(x, y));
            }
        }

        WriteChunk(output, "IDAT", raw.ToArray());
        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    private static void WriteChunk(Stream output, string type, byte[] data)
    {
        var buffer = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(buffer, data.Length);
        output.Write(buffer);
        var typeAndData = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        output.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(buffer, Crc32(typeAndData));
        output.Write(buffer);
    }

    private static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }

        return ~crc;
    }
}
