namespace Asl.Distributed.Configuration.Training;

/// <summary>
/// Adam as in the official script (config section <c>optimizer</c>): lr 1e-4, weight decay 1e-4 applied as coupled
/// L2 to weights only (no decay on biases and other 1-D parameters).
/// </summary>
public sealed class OptimizerConfig
{
    /// <summary>Peak learning rate (OneCycle's max_lr).</summary>
    public double Lr { get; set; } = 1e-4;

    /// <summary>L2 weight decay on weights with two or more dimensions.</summary>
    public double WeightDecay { get; set; } = 1e-4;

    /// <summary>Adam's β2 (β1 is cycled by the schedule, or fixed at 0.9 without cycling).</summary>
    public double Beta2 { get; set; } = 0.999;

    /// <summary>Adam's ε.</summary>
    public double AdamEps { get; set; } = 1e-8;

    internal void Validate(string prefix)
    {
        ConfigChecks.Positive(Lr, $"{prefix}.lr");
        ConfigChecks.InRange(WeightDecay, 0, 1, $"{prefix}.weight_decay");
        ConfigChecks.InRange(Beta2, 0, 0.999999, $"{prefix}.beta2");
        ConfigChecks.Positive(AdamEps, $"{prefix}.adam_eps");
    }
}
