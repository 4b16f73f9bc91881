using Asl.Distributed.Runs;

namespace Asl.Distributed.Sweeps;

/// <summary>The number that ranks trials and drives ASHA: which validation mAP, and whether larger or smaller is better.</summary>
public sealed record SweepMetric(SweepMetricName Name, MetricMode Mode)
{
    /// <summary>The metric of one epoch (NaN where that model's validation diverged or there is no EMA model).</summary>
    public double ValueOf(EpochMetrics metrics) => Name switch
    {
        SweepMetricName.Map => metrics.Map,
        SweepMetricName.MapEma => metrics.MapEma,
        _ => metrics.BestMap,
    };

    /// <summary>Whether <paramref name="candidate"/> beats <paramref name="best"/>; NaN never beats and is always beaten.</summary>
    public bool IsBetter(double candidate, double best) =>
        !double.IsNaN(candidate) && (double.IsNaN(best) || (Mode == MetricMode.Max ? candidate > best : candidate < best));
}
