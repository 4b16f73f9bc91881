using Asl.Distributed.Configuration;

namespace Asl.Distributed.Losses;

/// <summary>
/// Adaptive asymmetry (the paper's first version): after each step
/// γ− ← clamp(γ− + λ·(Δp − Δp_target), γ−_min, γ−_max), with γ+ and the margin fixed.
/// </summary>
public sealed record AdaptiveAsymmetryOptions
{
    /// <summary>λ: step size of the γ− update (config <c>lambda</c>).</summary>
    public double Lambda { get; init; } = 1e-3;

    /// <summary>Δp_target: the probability gap γ− steers towards (config <c>target_prob_gap</c>).</summary>
    public double TargetProbGap { get; init; } = 0.1;

    /// <summary>Lower bound of γ− (config <c>gamma_neg_min</c>).</summary>
    public double GammaNegMin { get; init; }

    /// <summary>Upper bound of γ− (config <c>gamma_neg_max</c>).</summary>
    public double GammaNegMax { get; init; } = 8;

    /// <summary>Throws a <see cref="ConfigException"/> naming the first setting out of range.</summary>
    public AdaptiveAsymmetryOptions Validate(double initialGammaNeg, string prefix = "loss.adaptive")
    {
        AsymmetricLossOptions.RequireNonNegative(Lambda, $"{prefix}.lambda");
        if (!double.IsFinite(TargetProbGap) || TargetProbGap < -1 || TargetProbGap > 1)
            throw new ConfigException($"{prefix}.target_prob_gap", $"{TargetProbGap} is out of range; allowed: a number in [-1, 1]");
        AsymmetricLossOptions.RequireNonNegative(GammaNegMin, $"{prefix}.gamma_neg_min");
        if (!double.IsFinite(GammaNegMax) || GammaNegMax < GammaNegMin)
            throw new ConfigException($"{prefix}.gamma_neg_max", $"{GammaNegMax} is out of range; allowed: a finite number >= gamma_neg_min ({GammaNegMin})");
        if (!double.IsFinite(initialGammaNeg) || initialGammaNeg < GammaNegMin || initialGammaNeg > GammaNegMax)
            throw new ConfigException($"{prefix}", $"the starting gamma_neg {initialGammaNeg} lies outside the adaptive bounds; allowed: a starting gamma_neg within [gamma_neg_min, gamma_neg_max] = [{GammaNegMin}, {GammaNegMax}]");
        return this;
    }
}
