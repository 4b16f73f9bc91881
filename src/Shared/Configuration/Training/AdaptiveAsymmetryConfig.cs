using Asl.Distributed.Losses;

namespace Asl.Distributed.Configuration.Training;

/// <summary>Adaptive asymmetry settings as written in a config (section <c>loss.adaptive</c>).</summary>
public sealed class AdaptiveAsymmetryConfig
{
    public double Lambda { get; set; } = new AdaptiveAsymmetryOptions().Lambda;

    public double TargetProbGap { get; set; } = new AdaptiveAsymmetryOptions().TargetProbGap;

    public double GammaNegMin { get; set; } = new AdaptiveAsymmetryOptions().GammaNegMin;

    public double GammaNegMax { get; set; } = new AdaptiveAsymmetryOptions().GammaNegMax;

    internal AdaptiveAsymmetryOptions ToOptions() => new()
    {
        Lambda = Lambda,
        TargetProbGap = TargetProbGap,
        GammaNegMin = GammaNegMin,
        GammaNegMax = GammaNegMax,
    };
}
