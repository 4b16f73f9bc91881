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

    /// <summary>Throws a <see cref="ConfigException"/> listing every setting out of range (γ ranges as the <c>loss</c> section's).</summary>
    public AsymmetricSingleLabelLossOptions Validate(string prefix = "loss")
    {
        var problems = new List<ConfigProblem>();
        LossKeys.Check(problems, prefix, "gamma_neg", GammaNeg);
        LossKeys.Check(problems, prefix, "gamma_pos", GammaPos);
        LossKeys.Check(problems, prefix, "reduction", Reduction);
        if (!double.IsFinite(Eps) || Eps < 0 || Eps >= 1)
            problems.Add(new ConfigProblem($"{prefix}.eps", $"{Eps} is out of range; allowed: a label smoothing in [0, 1)"));
        return problems.Count == 0 ? this : throw new ConfigException(problems);
    }
}
