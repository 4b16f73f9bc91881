using Asl.Distributed.Configuration;

namespace Asl.Distributed.Losses;

/// <summary>
/// Settings of the single-label asymmetric loss (official <c>ASLSingleLabel</c>): γ+ 0, γ− 4, label smoothing 0.1,
/// mean over the batch.
/// </summary>
public sealed record AsymmetricSingleLabelLossOptions
{
    /// <summary>γ−: focusing exponent of the non-target classes (config <c>gamma_neg</c>).</summary>
    public double GammaNeg { get; init; } = 4;

    /// <summary>γ+: focusing exponent of the target class (config <c>gamma_pos</c>).</summary>
    public double GammaPos { get; init; }

    /// <summary>ε: label smoothing; targets become (1 − ε)·onehot + ε/K (config <c>eps</c>, as in the official class).</summary>
    public double Eps { get; init; } = 0.1;

    /// <summary>How per-sample values are reduced; the official class takes the mean (config <c>reduction</c>).</summary>
    public LossReduction Reduction { get; init; } = LossReduction.Mean;

    /// <summary>Throws a <see cref="ConfigException"/> naming the first setting out of range.</summary>
    public AsymmetricSingleLabelLossOptions Validate(string prefix = "loss")
    {
        AsymmetricLossOptions.RequireNonNegative(GammaNeg, $"{prefix}.gamma_neg");
        AsymmetricLossOptions.RequireNonNegative(GammaPos, $"{prefix}.gamma_pos");
        if (!double.IsFinite(Eps) || Eps < 0 || Eps >= 1)
            throw new ConfigException($"{prefix}.eps", $"{Eps} is out of range; allowed: a number in [0, 1)");
        if (!Enum.IsDefined(Reduction))
            throw new ConfigException($"{prefix}.reduction", $"allowed: {string.Join(", ", LossReductionNames.All)}");
        return this;
    }
}
