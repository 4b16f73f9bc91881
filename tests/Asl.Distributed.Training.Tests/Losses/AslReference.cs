using Asl.Distributed.Training.Losses;

namespace Asl.Distributed.Training.Tests.Losses;

/// <summary>
/// An independent float64 statement of the official multi-label ASL for one label, written from the formulas of
/// asl-reference §1 with scalar doubles (no tensors), used as the reference the implementations are held to.
/// Every quantity is computed without cancellation, so the reference keeps its relative accuracy (about 1e-15)
/// for logits far from zero too: σ(z) and 1 − σ(z) each from an exponential of −|z|, log σ(±z) through log1p,
/// log(1 − p_m) as log1p(−p_m), and the focusing weight's base 1 − pt as y·(1 − p) + (1 − y)·p_m, which equals
/// it exactly and is a sum of non-negative terms. The clamps are the official ones: log(max(x, eps)) is
/// max(log x, log eps), equal in exact arithmetic; the project's floor of the weight's base at eps (see
/// <see cref="AsymmetricLossSettings.GuardsFocalWeightBase"/>) is included.
/// </summary>
internal static class AslReference
{
    /// <summary>The per-label loss; with <paramref name="fixedWeight"/> the focusing weight is that constant.</summary>
    public static double Loss(double z, double y, AsymmetricLossSettings s, double? fixedWeight = null)
    {
        var t = Terms.At(z, y, s);
        return -(fixedWeight ?? t.Weight) * t.LogTerm;
    }

    /// <summary>The focusing weight (1 − pt)^(γ+·y + γ−·(1 − y)), 1 without focusing.</summary>
    public static double Weight(double z, double y, AsymmetricLossSettings s) => Terms.At(z, y, s).Weight;

    /// <summary>
    /// The derivative of the per-label loss with respect to the logit, worked out by hand from the same terms, with
    /// the subgradients autograd takes at the clamps: a clamp passes the gradient where its input is at or past the
    /// bound on the kept side (torch's clamp_min passes at x ≥ min, clamp_max at x ≤ max).
    /// </summary>
    public static double AnalyticGradient(double z, double y, AsymmetricLossSettings s) => GradientParts(z, y, s).Value;

    /// <summary>
    /// The derivative (as <see cref="AnalyticGradient"/>) and the sum of the magnitudes of its parts: the positive
    /// side's log term, the negative side's, and the weight's own derivative with its two sides. With a hard
    /// target the parts have one sign and the sum is |derivative|; with a soft target the sides pull against each
    /// other (the derivative crosses zero where p is near y), and the sum is the scale a float32 difference of
    /// them can be accurate to.
    /// </summary>
    public static (double Value, double Scale) GradientParts(double z, double y, AsymmetricLossSettings s)
    {
        var t = Terms.At(z, y, s);
        double slope = t.P * t.Q; // dp/dz = p(1 − p)
        double logEps = Math.Log(s.Eps);
        double dLogPos = t.LogP >= logEps ? t.Q : 0; // d log p/dz = 1 − p
        double dLogNeg = t.LogQNeg >= logEps && t.ClipPasses ? (s.Clip > 0 ? -slope / t.QNeg : -t.P) : 0;
        double logPart = t.Weight * (y * dLogPos + (1 - y) * dLogNeg);
        double logScale = t.Weight * (y * Math.Abs(dLogPos) + (1 - y) * Math.Abs(dLogNeg));
        double weightPart = 0, weightScale = 0;
        if (s.HasFocalWeight && !s.DetachFocalWeight && t.Exponent != 0 && t.BaseIsAboveFloor)
        {
            double negativeSide = (1 - y) * (t.ClipPasses ? slope : 0);
            double positiveSide = y * slope;
            double powLessOne = t.Base == 0 ? (t.Exponent == 1 ? 1 : 0) : Math.Pow(t.Base, t.Exponent - 1);
            double factor = t.Exponent * powLessOne * t.LogTerm;
            weightPart = factor * (negativeSide - positiveSide);
            weightScale = Math.Abs(factor) * (negativeSide + positiveSide);
        }
        return (-(weightPart + logPart), weightScale + logScale);
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

    /// <summary>σ(z) = 1 / (1 + e^−z) from e^−|z| ≤ 1, so neither side of zero overflows or cancels.</summary>
    public static double Sigmoid(double z)
    {
        double e = Math.Exp(-Math.Abs(z));
        return z >= 0 ? 1 / (1 + e) : e / (1 + e);
    }

    /// <summary>log(1 + e^x) = max(x, 0) + log1p(e^−|x|).</summary>
    public static double Softplus(double x) => Math.Max(x, 0) + Log1P(Math.Exp(-Math.Abs(x)));

    /// <summary>
    /// log(1 + x) for x > −1 to a few ulps: with u = 1 + x rounded, log(u)·x/(u − 1) cancels the rounding of u
    /// (Goldberg, "What every computer scientist should know about floating-point arithmetic", theorem 4).
    /// <c>double.LogP1</c> is not used: it is log(1 + x) as written, which loses x below the ulp of 1.
    /// </summary>
    public static double Log1P(double x)
    {
        double u = 1 + x;
        return u == 1 ? x : Math.Log(u) * x / (u - 1);
    }

    /// <summary>The quantities of one label, named as in asl-reference §1.</summary>
    private readonly record struct Terms(
        double P, double Q, double QNeg, bool ClipPasses, double LogP, double LogQNeg, double LogTerm,
        double Base, bool BaseIsAboveFloor, double Exponent, double Weight)
    {
        public static Terms At(double z, double y, AsymmetricLossSettings s)
        {
            double p = Sigmoid(z);
            double q = Sigmoid(-z); // 1 − p
            double logP = -Softplus(-z);
            // q_neg = min(1 − p + m, 1) = 1 − p_m with p_m = max(p − m, 0); without a clip it is 1 − p.
            double pm = s.Clip > 0 ? Math.Max(p - s.Clip, 0) : p;
            bool clipPasses = s.Clip <= 0 || p >= s.Clip;
            double qNeg = s.Clip > 0 ? 1 - pm : q;
            double logQNeg = s.Clip > 0 ? Log1P(-pm) : -Softplus(z);
            double logEps = Math.Log(s.Eps);
            double logTerm = y * Math.Max(logP, logEps) + (1 - y) * Math.Max(logQNeg, logEps);

            double exponent = s.GammaPos * y + s.GammaNeg * (1 - y);
            double floor = s.GuardsFocalWeightBase ? s.Eps : 0;
            double rawBase = y * q + (1 - y) * pm; // 1 − pt
            double focalBase = Math.Max(rawBase, floor);
            double weight = !s.HasFocalWeight || exponent == 0 ? 1 : Math.Pow(focalBase, exponent);
            return new Terms(p, q, qNeg, clipPasses, logP, logQNeg, logTerm, focalBase, rawBase >= floor, exponent, weight);
        }
    }
}
