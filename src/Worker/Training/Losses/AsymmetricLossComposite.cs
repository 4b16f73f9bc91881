using Asl.Distributed.Losses;
using Asl.Distributed.Training.Interop;
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
        // Every Scalar is made here and referenced until the method returns: the operators (1 - p, a + b, x * γ, …)
        // would make their own, which a finalizer on another thread could free mid-call (issue 15). Each line is the
        // operation the operator runs, with a Scalar of the same type, so results are unchanged bit for bit.
        var one = HeldScalars.One;
        using var clip = s.Clip.ToScalar();
        using var eps = s.Eps.ToScalar();
        using var gammaPos = s.GammaPos.ToScalar();
        using var gammaNeg = s.GammaNeg.ToScalar();
        using var focalBaseFloor = (s.GuardsFocalWeightBase ? s.Eps : 0).ToScalar();
        using var batchSize = logits.shape[0].ToScalar();
        var z = AsymmetricLossInputs.ComputeDType(logits);
        var y = targets.to(z.dtype);
        var notY = HeldScalars.OneMinus(y);
        var p = z.sigmoid();
        var xsPos = p;
        var xsNeg = HeldScalars.OneMinus(p);
        if (s.Clip > 0)
            xsNeg = xsNeg.add(clip, one).clamp_max(one);

        var loss = y.mul(xsPos.clamp_min(eps).log()).add(notY.mul(xsNeg.clamp_min(eps).log()), one);

        if (s.HasFocalWeight)
        {
            Tensor weight;
            // Scoped, unlike the official class which switches autograd back on globally afterwards.
            using (torch.set_grad_enabled(!s.DetachFocalWeight && torch.is_grad_enabled()))
            {
                var pt = xsPos.mul(y).add(xsNeg.mul(notY), one);
                var exponent = y.mul(gammaPos).add(notY.mul(gammaNeg), one);
                // Soft targets can round pt a hair above 1; a negative base would give pow a NaN.
                var focalBase = HeldScalars.OneMinus(pt).clamp_min(focalBaseFloor);
                weight = focalBase.pow(exponent);
            }
            loss = loss * weight;
        }

        var reduced = s.Reduction switch
        {
            LossReduction.Sum => -loss.sum(),
            LossReduction.Mean => -loss.mean(),
            LossReduction.BatchMean => (-loss.sum()).div(batchSize),
            LossReduction.None => -loss,
            _ => throw new ArgumentOutOfRangeException(nameof(s), s.Reduction, "unknown reduction"),
        };
        return reduced.MoveToOuterDisposeScope();
    }
}
