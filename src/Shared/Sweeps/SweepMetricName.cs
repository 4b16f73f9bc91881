using Asl.Distributed.Configuration.Schema;

namespace Asl.Distributed.Sweeps;

/// <summary>Which validation mAP ranks trials (spec <c>metric.name</c>).</summary>
public enum SweepMetricName
{
    /// <summary>The regular model's mAP.</summary>
    [ConfigName("map")] Map,
    /// <summary>The EMA model's mAP (needs <c>run.ema_decay</c> above 0).</summary>
    [ConfigName("map_ema")] MapEma,
    /// <summary>The better of the two.</summary>
    [ConfigName("map_best")] MapBest,
}
