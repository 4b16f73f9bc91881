namespace Asl.Distributed.Benchmarks;

/// <summary>Nearest-rank quantiles of a sample, for the benchmark tables.</summary>
internal static class Quantiles
{
    /// <summary>The value at quantile <paramref name="q"/> (0 to 1) of <paramref name="values"/>; NaN when empty.</summary>
    public static double At(IReadOnlyCollection<double> values, double q)
    {
        if (values.Count == 0)
            return double.NaN;
        var sorted = values.Order().ToList();
        int rank = (int)Math.Ceiling(q * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
