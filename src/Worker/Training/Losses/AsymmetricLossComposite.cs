using Asl.Distributed.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Losses;

/// <summary>
/// The multi-label asymmetric loss as tensor operations in the order of the official <c>AsymmetricLoss</c>
/// (asl-reference §1, steps 1–5), differentiated by autograd. It runs on any device and is the reference the
/// fused kernel is held to.
/// </summary>
public static class AsymmetricLossComposite
{
    /// <summary>
    /// Computes the loss of <paramref name="logits"/> against <paramref name="targets"/> (same shape, values in
    /// [0, 1]; soft targets allowed). Half-precision logits are computed in float32; float64 stays float64.
    /// </summary>
    /// <remarks>
    /// The log terms clamp their argument at eps exactly as the official code does, so a positive whose
    /// probability is below eps (logit below about −18.4) contributes a constant and gets no gradient. This
    /// implementation keeps that dead gradient on purpose: users compare runs against the official code.
    /// </remarks>
    public static Tensor Compute(Tensor logits, Tensor targets, AsymmetricLossSettings s)
    {
        AsymmetricLossInputs.Check(logits, targets);
        using var scope = NewDisposeScope();
        var z = AsymmetricLossInputs.ComputeDType(logits);
        var y = targets.to(z.dtype);
        var p = z.sigmoid();
        var xsPos = p;
        var xsNeg = 1 - p;
        if (s.Clip > 0)
            xsNeg = (xsNeg + s.Clip).clamp_max(1);

        var loss = y * xsPos.clamp_min(s.Eps).log() + (1 - y) * xsNeg.clamp_min(s.Eps).log();

        if (s.HasFocalWeight)
        {
            Tensor weight;
            // Scoped, unlike the official class which switches autograd back on globally afterwards.
            using (torch.set_grad_enabled(!s.DetachFocalWeight && torch.is_grad_enabled()))
            {
                var pt = xsPos * y + xsNeg * (1 - y);
                var exponent = s.GammaPos * y + s.GammaNeg * (1 - y);
                // Soft targets can round pt a hair above 1; a negative base would give pow a NaN.
                var focalBase = (1 - pt).clamp_min(s.GuardsFocalWeightBase ? s.Eps : 0);
                weight = focalBase.pow(exponent);
            }
            loss = loss * weight;
        }

        var reduced = s.Reduction switch
        {
            LossReduction.Sum => -loss.sum(),
            LossReduction.Mean => -loss.mean(),
            LossReduction.BatchMean => -loss.sum() / logits.shape[0],
            LossReduction.None => -loss,
            _ => throw new ArgumentOutOfRangeException(nameof(s), s.Reduction, "unknown reduction"),
        };
        return reduced.MoveToOuterDisposeScope();
    }
}
