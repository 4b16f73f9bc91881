namespace Asl.Distributed.Training.Images;

/// <summary>
/// Per-output-pixel source ranges and normalised weights of a 1-D resampling filter, laid out with a fixed stride so
/// that the resize loops index them without jagged arrays.
/// </summary>
internal sealed class FilterTaps
{
    private FilterTaps(int[] start, int[] count, float[] weights, int stride)
    {
        Start = start;
        Count = count;
        Weights = weights;
        Stride = stride;
    }

    /// <summary>First source index of each output index.</summary>
    public int[] Start { get; }

    /// <summary>Number of source indices of each output index.</summary>
    public int[] Count { get; }

    /// <summary>Weights, <see cref="Stride"/> per output index, summing to 1.</summary>
    public float[] Weights { get; }

    /// <summary>Distance between the weights of consecutive output indices.</summary>
    public int Stride { get; }

    /// <summary>
    /// Triangle-filter taps mapping <paramref name="inSize"/> samples to <paramref name="outSize"/>, in PIL's
    /// geometry: output i is centred at (i + ½)·scale in source coordinates, source j at j + ½, and the kernel's
    /// support grows with the scale when shrinking.
    /// </summary>
    public static FilterTaps Bilinear(int inSize, int outSize)
    {
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = filterScale;
        int stride = (int)Math.Ceiling(support) * 2 + 1;
        var start = new int[outSize];
        var count = new int[outSize];
        var weights = new float[outSize * stride];
        var raw = new double[stride];
        for (int i = 0; i < outSize; i++)
        {
            double centre = (i + 0.5) * scale;
            // Truncation, not floor, as in PIL: it decides which border sample drops out of the window.
            int min = Math.Max(0, (int)(centre - support + 0.5));
            int max = Math.Min(inSize, (int)(centre + support + 0.5));
            int n = Math.Min(max - min, stride);
            double total = 0;
            for (int k = 0; k < n; k++)
            {
                double t = Math.Abs((min + k - centre + 0.5) / filterScale);
                raw[k] = t < 1 ? 1 - t : 0;
                total += raw[k];
            }

            start[i] = min;
            count[i] = n;
            for (int k = 0; k < n; k++)
                weights[i * stride + k] = total > 0 ? (float)(raw[k] / total) : 0f;
        }

        return new FilterTaps(start, count, weights, stride);
    }
}
