using Asl.Distributed.Losses;

namespace Asl.Distributed.Training.Losses;

/// <summary>
/// The numbers one evaluation of the multi-label asymmetric loss uses: the configured options with the current
/// γ− (which adaptive asymmetry may have moved).
/// </summary>
public readonly record struct AsymmetricLossSettings(
    double GammaNeg,
    double GammaPos,
    double Clip,
    double Eps,
    bool DetachFocalWeight,
    LossReduction Reduction)
{
    /// <summary>Settings from validated options, with γ− replaced when <paramref name="gammaNeg"/> is given.</summary>
    public static AsymmetricLossSettings From(AsymmetricLossOptions options, double? gammaNeg = null) => new(
        gammaNeg ?? options.GammaNeg, options.GammaPos, options.Clip, options.Eps,
        options.DisableTorchGradFocalLoss, options.Reduction);

    /// <summary>True when a focusing weight multiplies the log terms (γ+ or γ− above zero).</summary>
    public bool HasFocalWeight => GammaNeg > 0 || GammaPos > 0;

    /// <summary>
    /// True when some label can get a focusing exponent strictly between 0 and 1 with a weight that is not
    /// detached. There (1 − pt)^(γ−1) is infinite at a saturated probability and the official code's gradient
    /// turns NaN; this implementation clamps the weight's base from below at <see cref="Eps"/> instead, so such
    /// labels get a zero weight gradient where the base is below eps. Soft targets mix γ+ and γ−, so any pair with
    /// one exponent below 1 and one above 0 can produce such an exponent.
    /// </summary>
    public bool GuardsFocalWeightBase => !DetachFocalWeight && Math.Min(GammaNeg, GammaPos) < 1 && HasFocalWeight;
}
