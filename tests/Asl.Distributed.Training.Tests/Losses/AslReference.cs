using Asl.Distributed.Training.Losses;

namespace Asl.Distributed.Training.Tests.Losses;

/// <summary>
/// An independent float64 statement of the official multi-label ASL for one label, written from the formulas of
/// asl-reference §1 with scalar doubles (no tensors), used as the reference the implementations are held to.
/// </summary>
internal static class AslReference
{
    /// <summary>The per-label loss; with <paramref name="fixedWeight"/> the focusing weight is that constant.</summary>
    public static double Loss(double z, double y, AsymmetricLossSettings s, double? fixedWeight = null)
    {
        double p = 1 / (1 + Math.Exp(-z));
        double qNeg = s.Clip > 0 ? Math.Min(1 - p + s.Clip, 1) : 1 - p;
        double a = y * Math.Log(Math.Max(p, s.Eps)) + (1 - y) * Math.Log(Math.Max(qNeg, s.Eps));
        double w = fixedWeight ?? Weight(z, y, s);
        return -w * a;
    }

    /// <summary>The focusing weight (1 − pt)^(γ+·y + γ−·(1 − y)), 1 without focusing.</summary>
    public static double Weight(double z, double y, AsymmetricLossSettings s)
    {
        if (!s.HasFocalWeight)
            return 1;
        double p = 1 / (1 + Math.Exp(-z));
        double qNeg = s.Clip > 0 ? Math.Min(1 - p + s.Clip, 1) : 1 - p;
        double pt = y * p + (1 - y) * qNeg;
        double exponent = s.GammaPos * y + s.GammaNeg * (1 - y);
        return exponent == 0 ? 1 : Math.Pow(Math.Max(1 - pt, 0), exponent);
    }

    /// <summary>
    /// Central finite difference of the per-label loss. With the weight detached the reference is the derivative
    /// with the weight held at its value at <paramref name="z"/>, which is what the official code backpropagates.
    /// </summary>
    public static double Gradient(double z, double y, AsymmetricLossSettings s, double h = 1e-6)
    {
        double? w = s.DetachFocalWeight ? Weight(z, y, s) : null;
        return (Loss(z + h, y, s, w) - Loss(z - h, y, s, w)) / (2 * h);
    }

    /// <summary>Closed form of the negative's gradient for p above the margin (asl-reference §1), weight not detached.</summary>
    public static double NegativeGradientClosedForm(double p, double gammaNeg, double clip, bool detached)
    {
        double pm = Math.Max(p - clip, 0);
        if (pm <= 0)
            return 0;
        double bracket = detached
            ? 1 / (1 - pm)
            : 1 / (1 - pm) - gammaNeg * Math.Log(1 - pm) / pm;
        return Math.Pow(pm, gammaNeg) * bracket * p * (1 - p);
    }
}
