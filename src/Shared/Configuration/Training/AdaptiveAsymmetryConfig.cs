using Asl.Distributed.Configuration.Schema;
using Asl.Distributed.Losses;

namespace Asl.Distributed.Configuration.Training;

/// <summary>
/// Adaptive asymmetry as written in a config (section <c>loss.adaptive</c>): after each step
/// γ− ← clamp(γ− + λ·(Δp − Δp_target), γ−_min, γ−_max). The ranges here are the only ones; the loss options check
/// against them.
/// </summary>
public sealed class AdaptiveAsymmetryConfig
{
    [Setting("λ: step size of the γ− update.", Min = 0)]
    public double Lambda { get; set; } = 1e-3;

    [Setting("Δp_target: the probability gap γ− steers towards.", Min = -1, Max = 1)]
    public double TargetProbGap { get; set; } = 0.1;

    [Setting("Lower bound of γ−.", Min = 0)]
    public double GammaNegMin { get; set; }

    [Setting("Upper bound of γ−; at least gamma_neg_min.", Min = 0)]
    public double GammaNegMax { get; set; } = 8;

    internal AdaptiveAsymmetryOptions ToOptions() => new()
    {
        Lambda = Lambda,
        TargetProbGap = TargetProbGap,
        GammaNegMin = GammaNegMin,
        GammaNegMax = GammaNegMax,
    };
}
