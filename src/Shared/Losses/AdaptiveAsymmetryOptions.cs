using Asl.Distributed.Configuration;

namespace Asl.Distributed.Losses;

/// <summary>
/// Adaptive asymmetry (the paper's first version): after each step
/// γ− ← clamp(γ− + λ·(Δp − Δp_target), γ−_min, γ−_max), with γ+ and the margin fixed. Defaults and ranges are
/// those of the <c>loss.adaptive</c> config section.
/// </summary>
public sealed record AdaptiveAsymmetryOptions
{
    private static readonly Configuration.Training.AdaptiveAsymmetryConfig Defaults = new();

    /// <summary>λ: step size of the γ− update (config <c>lambda</c>).</summary>
    public double Lambda { get; init; } = Defaults.Lambda;

    /// <summary>Δp_target: the probability gap γ− steers towards (config <c>target_prob_gap</c>).</summary>
    public double TargetProbGap { get; init; } = Defaults.TargetProbGap;

    /// <summary>Lower bound of γ− (config <c>gamma_neg_min</c>).</summary>
    public double GammaNegMin { get; init; } = Defaults.GammaNegMin;

    /// <summary>Upper bound of γ− (config <c>gamma_neg_max</c>).</summary>
    public double GammaNegMax { get; init; } = Defaults.GammaNegMax;

    /// <summary>Throws a <see cref="ConfigException"/> listing every setting out of range.</summary>
    public AdaptiveAsymmetryOptions Validate(double initialGammaNeg, string prefix = "loss.adaptive")
    {
        var problems = Problems(initialGammaNeg, prefix);
        return problems.Count == 0 ? this : throw new ConfigException(problems);
    }

    internal List<ConfigProblem> Problems(double initialGammaNeg, string prefix)
    {
        var problems = new List<ConfigProblem>();
        LossKeys.CheckAdaptive(problems, prefix, "lambda", Lambda);
        LossKeys.CheckAdaptive(problems, prefix, "target_prob_gap", TargetProbGap);
        LossKeys.CheckAdaptive(problems, prefix, "gamma_neg_min", GammaNegMin);
        LossKeys.CheckAdaptive(problems, prefix, "gamma_neg_max", GammaNegMax);
        if (problems.Count > 0)
            return problems;
        if (GammaNegMax < GammaNegMin)
            problems.Add(new ConfigProblem($"{prefix}.gamma_neg_max", $"{GammaNegMax} is less than gamma_neg_min ({GammaNegMin}); allowed: a finite number >= gamma_neg_min"));
        else if (!double.IsFinite(initialGammaNeg) || initialGammaNeg < GammaNegMin || initialGammaNeg > GammaNegMax)
            problems.Add(new ConfigProblem(prefix, $"the starting gamma_neg {initialGammaNeg} lies outside the adaptive bounds; allowed: a starting gamma_neg within [gamma_neg_min, gamma_neg_max] = [{GammaNegMin}, {GammaNegMax}]"));
        return problems;
    }
}
