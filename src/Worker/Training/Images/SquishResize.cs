using System.Buffers;

namespace Asl.Distributed.Training.Images;

/// <summary>
/// Resizes to an exact width × height without cropping (the aspect ratio is not kept: "squish"), as the official
/// ASL recipe's <c>transforms.Resize((S, S))</c> does. The filter is PIL's bilinear: a triangle kernel sampled at
/// pixel centres and widened by the scale factor when shrinking, so a downscale averages every source pixel under it
/// (antialiased) instead of skipping pixels; upscaling is classic centre-aligned bilinear with edge clamping.
/// Separable: a horizontal pass into a float buffer, then a vertical pass rounded to bytes. Unlike PIL the
/// intermediate is not rounded to 8 bits, so results can differ from PIL's by one level.
/// </summary>
public static class SquishResize
{
    /// <summary>A new <paramref name="size"/> × <paramref name="size"/> image.</summary>
    public static RgbImage Apply(RgbImage source, int size) => Apply(source, size, size);

    /// <summary>A new <paramref name="width"/> × <paramref name="height"/> image; a copy when the size is unchanged.</summary>
    public static RgbImage Apply(RgbImage source, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (width == source.Width && height == source.Height)
            return source.Clone();

        var columns = FilterTaps.Bilinear(source.Width, width);
        var rows = FilterTaps.Bilinear(source.Height, height);

        // Horizontal pass: every source row, output columns. Pooled: at COCO sizes the buffer is ~1 MiB, and a fresh
        // large-object-heap array per image would keep the collector busy on every loader thread.
        float[] horizontal = ArrayPool<float>.Shared.Rent(source.Height * width * 3);
        try
        {
            ResizeRows(source, columns, width, horizontal);
            return ResizeColumns(horizontal, rows, width, height);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(horizontal);
        }
    }

    internal static byte ToByte(float value) => value <= 0 ? (byte)0 : value >= 255 ? (byte)255 : (byte)(value + 0.5f);

    private static void ResizeRows(RgbImage source, FilterTaps columns, int width, float[] horizontal)
    {
        byte[] input = source.Pixels;
        for (int y = 0; y < source.Height; y++)
        {
            int inRow = y * source.Width * 3;
            int outRow = y * width * 3;
            for (int x = 0; x < width; x++)
            {
                int start = columns.Start[x];
                int count = columns.Count[x];
                int weightBase = x * columns.Stride;
                float r = 0, g = 0, b = 0;
                for (int k = 0; k < count; k++)
                {
                    float w = columns.Weights[weightBase + k];
                    int p = inRow + (start + k) * 3;
                    r += w * input[p];
                    g += w * input[p + 1];
                    b += w * input[p + 2];
                }

                int o = outRow + x * 3;
                horizontal[o] = r;
                horizontal[o + 1] = g;
                horizontal[o + 2] = b;
            }
        }

    }

    // Vertical pass: output rows from the filtered rows, whole rows at a time for sequential access.
    private static RgbImage ResizeColumns(float[] horizontal, FilterTaps rows, int width, int height)
    {
        var result = new RgbImage(width, height);
        byte[] output = result.Pixels;
        int rowLength = width * 3;
        var accumulator = new float[rowLength];
        for (int y = 0; y < height; y++)
        {
            Array.Clear(accumulator);
            int start = rows.Start[y];
            int count = rows.Count[y];
            int weightBase = y * rows.Stride;
            for (int k = 0; k < count; k++)
            {
                float w = rows.Weights[weightBase + k];
                var line = horizontal.AsSpan((start + k) * rowLength, rowLength);
                for (int i = 0; i < rowLength; i++)
                    accumulator[i] += w * line[i];
            }

            var outLine = output.AsSpan(y * rowLength, rowLength);
            for (int i = 0; i < rowLength; i++)
                outLine[i] = ToByte(accumulator[i]);
        }

        return result;
    }
}
