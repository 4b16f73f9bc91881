namespace Asl.Distributed.Training.Images;

/// <summary>
/// The colour RandAugment operations, in place, following PIL's <c>ImageEnhance</c> and <c>ImageOps</c> (which
/// torchvision calls for PIL images). The enhance operations blend with a degenerate image,
/// out = degenerate + factor · (in − degenerate), clipped to 0…255 and truncated as PIL's blend does; factor 1 is
/// therefore exactly the identity.
/// </summary>
internal static class ColorOperations
{
    /// <summary>Blend with black: out = factor · in.</summary>
    public static void Brightness(RgbImage image, double factor)
    {
        float f = (float)factor;
        var pixels = image.Pixels;
        for (int i = 0; i < pixels.Length; i++)
            pixels[i] = Blend(0, pixels[i], f);
    }

    /// <summary>Blend with the image's own gray level (PIL's "L": 0.299 R + 0.587 G + 0.114 B).</summary>
    public static void Saturation(RgbImage image, double factor)
    {
        float f = (float)factor;
        var pixels = image.Pixels;
        for (int p = 0; p < pixels.Length; p += 3)
        {
            float gray = Luma(pixels[p], pixels[p + 1], pixels[p + 2]);
            pixels[p] = Blend(gray, pixels[p], f);
            pixels[p + 1] = Blend(gray, pixels[p + 1], f);
            pixels[p + 2] = Blend(gray, pixels[p + 2], f);
        }
    }

    /// <summary>Blend with a constant image at the rounded mean gray level.</summary>
    public static void Contrast(RgbImage image, double factor)
    {
        var pixels = image.Pixels;
        long sum = 0;
        for (int p = 0; p < pixels.Length; p += 3)
            sum += Luma(pixels[p], pixels[p + 1], pixels[p + 2]);
        float mean = (int)((double)sum / (pixels.Length / 3) + 0.5);
        float f = (float)factor;
        for (int i = 0; i < pixels.Length; i++)
            pixels[i] = Blend(mean, pixels[i], f);
    }

    /// <summary>
    /// Blend with the image smoothed by PIL's SMOOTH kernel [[1,1,1],[1,5,1],[1,1,1]] / 13; border pixels are their
    /// own degenerate, so the outermost rows and columns do not change.
    /// </summary>
    public static void Sharpness(RgbImage image, double factor)
    {
        int width = image.Width;
        int height = image.Height;
        if (width < 3 || height < 3)
            return;
        float f = (float)factor;
        var source = (byte[])image.Pixels.Clone();
        var pixels = image.Pixels;
        int stride = width * 3;
        for (int y = 1; y < height - 1; y++)
        {
            for (int i = y * stride + 3; i < (y + 1) * stride - 3; i++)
            {
                int up = i - stride;
                int down = i + stride;
                int sum = source[up - 3] + source[up] + source[up + 3]
                    + source[i - 3] + 5 * source[i] + source[i + 3]
                    + source[down - 3] + source[down] + source[down + 3];
                float smooth = (int)(sum / 13f + 0.5f);
                pixels[i] = Blend(smooth, source[i], f);
            }
        }
    }

    /// <summary>Keeps the top <paramref name="bits"/> bits (1…8) of every value.</summary>
    public static void Posterize(RgbImage image, int bits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bits, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bits, 8);
        byte mask = (byte)(0xFF << (8 - bits));
        var pixels = image.Pixels;
        for (int i = 0; i < pixels.Length; i++)
            pixels[i] &= mask;
    }

    /// <summary>Every value ≥ <paramref name="threshold"/> becomes 255 − value.</summary>
    public static void Solarize(RgbImage image, double threshold)
    {
        var pixels = image.Pixels;
        for (int i = 0; i < pixels.Length; i++)
        {
            if (pixels[i] >= threshold)
                pixels[i] = (byte)(255 - pixels[i]);
        }
    }

    /// <summary>Per channel, maps [min, max] linearly onto [0, 255] (truncating); a constant channel is left alone.</summary>
    public static void AutoContrast(RgbImage image)
    {
        var pixels = image.Pixels;
        Span<byte> lut = stackalloc byte[256];
        for (int c = 0; c < 3; c++)
        {
            int low = 255, high = 0;
            for (int i = c; i < pixels.Length; i += 3)
            {
                low = Math.Min(low, pixels[i]);
                high = Math.Max(high, pixels[i]);
            }

            if (high <= low)
                continue;
            for (int v = 0; v < 256; v++)
                lut[v] = (byte)Math.Clamp((v - low) * 255 / (high - low), 0, 255);
            for (int i = c; i < pixels.Length; i += 3)
                pixels[i] = lut[pixels[i]];
        }
    }

    /// <summary>
    /// Per channel, PIL's histogram equalisation: step = (pixels − count of the highest occupied level) / 255 (integer
    /// division); level v maps to (step/2 + pixels below v) / step. A channel with one level, or step 0, is left alone.
    /// </summary>
    public static void Equalize(RgbImage image)
    {
        var pixels = image.Pixels;
        Span<int> histogram = stackalloc int[256];
        Span<byte> lut = stackalloc byte[256];
        for (int c = 0; c < 3; c++)
        {
            histogram.Clear();
            for (int i = c; i < pixels.Length; i += 3)
                histogram[pixels[i]]++;
            int total = pixels.Length / 3;
            int last = 255;
            while (histogram[last] == 0)
                last--;
            int step = (total - histogram[last]) / 255;
            if (step == 0)
                continue;
            int running = step / 2;
            for (int v = 0; v < 256; v++)
            {
                lut[v] = (byte)Math.Min(running / step, 255);
                running += histogram[v];
            }

            for (int i = c; i < pixels.Length; i += 3)
                pixels[i] = lut[pixels[i]];
        }
    }

    /// <summary>PIL's RGB to L conversion in fixed point: (19595 R + 38470 G + 7471 B + 2^15) / 2^16.</summary>
    internal static int Luma(byte r, byte g, byte b) => (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;

    private static byte Blend(float degenerate, byte value, float factor)
    {
        float t = degenerate + factor * (value - degenerate);
        return t <= 0 ? (byte)0 : t >= 255 ? (byte)255 : (byte)t;
    }
}
