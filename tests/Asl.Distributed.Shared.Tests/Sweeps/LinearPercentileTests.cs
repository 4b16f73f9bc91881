using System.Globalization;
using Asl.Distributed.Sweeps;

namespace Asl.Distributed.Shared.Tests.Sweeps;

/// <summary>ASHA's cutoff percentile against NumPy's <c>nanpercentile</c>, which Ray Tune calls, to the last bit.</summary>
public sealed class LinearPercentileTests
{
    [Fact]
    public void Of_ManyArraysAndPercents_EqualsNumpysNanpercentileBitForBit()
    {
        // Ray's percents (1 − 1/η)·100 for η = 1.5 ... 10 and the ends; arrays of 1 to 40 values with ties and NaNs.
        double[] percents = [.. new[] { 1.5, 2, 3, 4, 5, 7, 10 }.Select(eta => (1 - (1 / eta)) * 100), 0, 100, 50, 12.5];
        var random = new Xoshiro256StarStar(11);
        var arrays = new List<double[]>();
        for (int length = 1; length <= 40; length++)
        {
            arrays.Add(Enumerable.Range(0, length).Select(_ => random.NextDouble() * 100).ToArray());
            arrays.Add(Enumerable.Range(0, length).Select(_ => Math.Round(random.NextDouble() * 4)).ToArray());
            arrays.Add(Enumerable.Range(0, length).Select(i => i % 3 == 1 ? double.NaN : -random.NextDouble()).ToArray());
        }
        arrays.Add([double.NaN, double.NaN]);

        string input = string.Join('\n', arrays.Select(a => string.Join(' ', a.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));
        string percentText = string.Join(' ', percents.Select(p => p.ToString("R", CultureInfo.InvariantCulture)));
        const string Script = """
            import sys, warnings
            import numpy as np
            warnings.simplefilter("ignore")  # an all-NaN slice warns; its NaN is the answer
            percents = [float(p) for p in sys.argv[1].split()]
            for line in sys.argv[2].split("\n"):
                values = [float(v) for v in line.split()]
                print(" ".join(repr(float(np.nanpercentile(values, p))) for p in percents))
            """;
        var lines = PythonReference.Run(Script, percentText, input).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(arrays.Count, lines.Length);
        for (int a = 0; a < arrays.Count; a++)
        {
            string[] expected = lines[a].Split(' ');
            for (int p = 0; p < percents.Length; p++)
            {
                double reference = double.Parse(expected[p], CultureInfo.InvariantCulture);
                double actual = LinearPercentile.Of(arrays[a], percents[p]);
                Assert.True(reference.Equals(actual), $"array {a} ({lines[a]}), percent {percents[p]}: NumPy {expected[p]}, ours {actual:R}");
            }
        }
    }

    [Fact]
    public void Of_FourValuesAtSeventyFive_InterpolatesAQuarterPastTheThird()
    {
        // Position (4 − 1)·0.75 = 2.25: the third value plus a quarter of the gap to the fourth.
        Assert.Equal(3.25, LinearPercentile.Of([4, 1, 3, 2], 75));
    }

    [Fact]
    public void Of_NoValues_IsNaN()
    {
        Assert.True(double.IsNaN(LinearPercentile.Of([], 75)));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(100.5)]
    [InlineData(double.NaN)]
    public void Of_PercentOutsideZeroToHundred_Throws(double percent)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LinearPercentile.Of([1, 2], percent));
    }
}
