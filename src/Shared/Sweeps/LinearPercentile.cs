namespace Asl.Distributed.Sweeps;

/// <summary>
/// NumPy's <c>nanpercentile</c> with its default linear method (Hyndman and Fan's type 7), step for step so that
/// ASHA's cutoffs equal Ray Tune's to the last bit: NaNs are left out; the percentile's position is (n − 1)·q/100;
/// the two neighbours are blended from the nearer one's side (NumPy's <c>_lerp</c>).
/// </summary>
public static class LinearPercentile
{
    /// <summary>The <paramref name="percent"/>-th percentile of the values that are not NaN; NaN when there are none.</summary>
    public static double Of(IEnumerable<double> values, double percent)
    {
        if (!(percent is >= 0 and <= 100))
            throw new ArgumentOutOfRangeException(nameof(percent), percent, "a percentile lies in [0, 100]");
        double[] sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        if (sorted.Length == 0)
            return double.NaN;
        double position = (sorted.Length - 1) * (percent / 100);
        if (position >= sorted.Length - 1)
            return sorted[^1];
        int below = (int)Math.Floor(position);
        double weight = position - below;
        double a = sorted[below];
        double b = sorted[below + 1];
        double difference = b - a;
        // From the nearer end, as NumPy does: exact at both ends and monotonic in the weight.
        return weight >= 0.5 ? b - (difference * (1 - weight)) : a + (difference * weight);
    }
}
