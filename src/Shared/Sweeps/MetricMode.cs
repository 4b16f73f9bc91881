namespace Asl.Distributed.Sweeps;

/// <summary>Whether a larger or a smaller metric is better (spec <c>metric.mode</c>).</summary>
public enum MetricMode
{
    /// <summary>Larger is better.</summary>
    Max,
    /// <summary>Smaller is better.</summary>
    Min,
}
