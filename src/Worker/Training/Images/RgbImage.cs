namespace Asl.Distributed.Training.Images;

/// <summary>
/// An 8-bit RGB image held as interleaved HWC bytes: row-major, 3 bytes per pixel (R, G, B), no row padding, so
/// pixel (x, y) channel c is at <c>(y · Width + x) · 3 + c</c>. Interleaved because decoders produce it and the
/// per-pixel operations (colour blends, nearest-neighbour warps) touch all three channels of a pixel together; the
/// planar float layout the model wants is made once, at the end, by <see cref="ChwFloatConverter"/>.
/// </summary>
public sealed class RgbImage
{
    /// <summary>Creates a black image.</summary>
    public RgbImage(int width, int height)
        : this(width, height, new byte[CheckedLength(width, height)])
    {
    }

    /// <summary>Wraps <paramref name="pixels"/> (not copied) as a <paramref name="width"/> × <paramref name="height"/> image.</summary>
    public RgbImage(int width, int height, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        int length = CheckedLength(width, height);
        if (pixels.Length != length)
            throw new ArgumentException($"A {width}×{height} RGB image needs {length} bytes, got {pixels.Length}.", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>The HWC bytes (length Width · Height · 3); operations that work in place write here.</summary>
    public byte[] Pixels { get; }

    /// <summary>The three bytes of row <paramref name="y"/>, left to right.</summary>
    public Span<byte> Row(int y) => Pixels.AsSpan(y * Width * 3, Width * 3);

    /// <summary>A deep copy.</summary>
    public RgbImage Clone() => new(Width, Height, (byte[])Pixels.Clone());

    private static int CheckedLength(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        long length = (long)width * height * 3;
        if (length > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(width), $"A {width}×{height} RGB image does not fit in one array.");
        return (int)length;
    }
}
