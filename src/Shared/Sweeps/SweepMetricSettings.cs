using Asl.Distributed.Configuration.Schema;

namespace Asl.Distributed.Sweeps;

/// <summary>The fields of the spec's <c>metric</c> section with their defaults (see <see cref="SweepSettings"/>).</summary>
public sealed class SweepMetricSettings
{
    [Setting("Validation mAP that ranks trials: map (regular model), map_ema (EMA model) or map_best (the better of the two).")]
    public SweepMetricName Name { get; set; } = SweepMetricName.MapBest;

    [Setting("max: larger is better; min: smaller is better.")]
    public MetricMode Mode { get; set; } = MetricMode.Max;
}
