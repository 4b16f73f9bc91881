using System.Globalization;
using Asl.Distributed.Sweeps;

namespace Asl.Distributed.Shared.Tests.Sweeps;

/// <summary>
/// The samples of random trials follow their domains. Each trial draws from its own generator, so the samples are
/// taken across trials, as a sweep takes them. The seed is fixed; each tolerance follows from the sample size: the
/// Kolmogorov–Smirnov critical value at α = 0.001 (1.949/√n), or five binomial standard deviations for shares.
/// </summary>
public sealed class SamplingDistributionTests
{
    private const int Trials = 20_000;

    private static readonly double KsCritical = 1.949 / Math.Sqrt(Trials);

    [Fact]
    public void Uniform_AcrossTrials_IsUniformBetweenItsBounds()
    {
        double[] samples = Samples(new UniformDomain(0.5, 4.5));
        Assert.All(samples, s => Assert.InRange(s, 0.5, 4.5));
        Assert.InRange(KolmogorovSmirnov(samples.Select(s => (s - 0.5) / 4)), 0, KsCritical);
    }

    [Fact]
    public void LogUniform_AcrossTrials_HasUniformLogarithms()
    {
        double[] samples = Samples(new LogUniformDomain(1e-5, 1e-1));
        double low = Math.Log(1e-5);
        double span = Math.Log(1e-1) - low;
        Assert.All(samples, s => Assert.InRange(s, 1e-5, 1e-1));
        Assert.InRange(KolmogorovSmirnov(samples.Select(s => (Math.Log(s) - low) / span)), 0, KsCritical);
        // The same test tells it from a plain uniform on [lo, hi], which would put nearly every sample in the top decade.
        Assert.True(KolmogorovSmirnov(samples.Select(s => (s - 1e-5) / (1e-1 - 1e-5))) > 10 * KsCritical);
    }

    [Fact]
    public void Choice_AcrossTrials_DrawsEveryValueEquallyOften()
    {
        var values = new ValueList<string>(["asl", "asl-coco", "bce", "focal"]);
        AssertEquallyLikely(Texts(new ChoiceDomain(values)), values);
    }

    [Fact]
    public void GridUnderRandom_AcrossTrials_DrawsEveryValueEquallyOften()
    {
        var values = new ValueList<string>(["1", "2", "4"]);
        AssertEquallyLikely(Texts(new GridDomain(values)), values);
    }

    [Fact]
    public void RandInt_AcrossTrials_DrawsLoToHiMinusOneEquallyAndNeverHi()
    {
        AssertEquallyLikely(Texts(new RandIntDomain(-2, 3)), ["-2", "-1", "0", "1", "2"]);
    }

    [Fact]
    public void QRandInt_AcrossTrials_DrawsEveryMultipleOfQIncludingBothEnds()
    {
        AssertEquallyLikely(Texts(new QRandIntDomain(16, 64, 16)), ["16", "32", "48", "64"]);
    }

    private static string[] Texts(SearchDomain domain)
    {
        var spec = new SweepSpec("d", "seed: 0\n", new ValueList<SweepDimension>([new SweepDimension("loss.gamma_neg", domain)]),
            ValueList<SweepBaseline>.Empty, new RandomAlgorithm(Trials), new SweepMetric(SweepMetricName.MapBest, MetricMode.Max), 1, 0, 3, 2024);
        return Enumerable.Range(0, Trials).Select(i => TrialPlanner.Plan(spec, i).Settings[0].Value).ToArray();
    }

    private static double[] Samples(SearchDomain domain) =>
        Texts(domain).Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToArray();

    private static void AssertEquallyLikely(string[] samples, IReadOnlyList<string> values)
    {
        Assert.All(samples, s => Assert.Contains(s, values));
        double p = 1.0 / values.Count;
        double tolerance = 5 * Math.Sqrt(p * (1 - p) / samples.Length);
        foreach (string value in values)
            Assert.InRange((double)samples.Count(s => s == value) / samples.Length, p - tolerance, p + tolerance);
    }

    // The largest distance between the empirical CDF of values in [0, 1] and the uniform CDF.
    private static double KolmogorovSmirnov(IEnumerable<double> unit)
    {
        double[] sorted = unit.Order().ToArray();
        double largest = 0;
        for (int i = 0; i < sorted.Length; i++)
            largest = Math.Max(largest, Math.Max(((i + 1.0) / sorted.Length) - sorted[i], sorted[i] - ((double)i / sorted.Length)));
        return largest;
    }
}
