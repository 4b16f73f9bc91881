using Asl.Distributed.Runs;
using Asl.Distributed.Sweeps;

namespace Asl.Distributed.Shared.Tests.Sweeps;

/// <summary>The metric a sweep ranks by, read from an epoch's metrics, and which of two values is better.</summary>
public sealed class SweepMetricTests
{
    [Theory]
    [InlineData(SweepMetricName.Map, 61.5, 63.25, 61.5)]
    [InlineData(SweepMetricName.MapEma, 61.5, 63.25, 63.25)]
    [InlineData(SweepMetricName.MapBest, 61.5, 63.25, 63.25)]
    [InlineData(SweepMetricName.MapBest, 64.0, 63.25, 64.0)]
    [InlineData(SweepMetricName.MapBest, 64.0, double.NaN, 64.0)]
    public void ValueOf_EpochMetrics_IsTheNamedMap(SweepMetricName name, double map, double mapEma, double expected)
    {
        var metrics = new EpochMetrics(3, 300, 0.1, 1e-4, map, mapEma, 0.2, 50, 55, 0.3, 4, 100, 60, 0);
        Assert.Equal(expected, new SweepMetric(name, MetricMode.Max).ValueOf(metrics));
    }

    [Fact]
    public void ValueOf_MapEmaWithoutAnEmaModel_IsNaN()
    {
        var metrics = new EpochMetrics(3, 300, 0.1, 1e-4, 61.5, double.NaN, 0.2, 50, 55, 0.3, 4, 100, 60, 0);
        Assert.True(double.IsNaN(new SweepMetric(SweepMetricName.MapEma, MetricMode.Max).ValueOf(metrics)));
    }

    [Theory]
    [InlineData(MetricMode.Max, 2, 1, true)]
    [InlineData(MetricMode.Max, 1, 2, false)]
    [InlineData(MetricMode.Max, 1, 1, false)]
    [InlineData(MetricMode.Min, 1, 2, true)]
    [InlineData(MetricMode.Min, 2, 1, false)]
    [InlineData(MetricMode.Max, 1, double.NaN, true)]
    [InlineData(MetricMode.Min, double.NaN, 1, false)]
    [InlineData(MetricMode.Max, double.NaN, double.NaN, false)]
    public void IsBetter_TwoValues_FollowsTheModeWithNaNAlwaysWorst(MetricMode mode, double candidate, double best, bool expected)
    {
        Assert.Equal(expected, new SweepMetric(SweepMetricName.MapBest, mode).IsBetter(candidate, best));
    }
}
