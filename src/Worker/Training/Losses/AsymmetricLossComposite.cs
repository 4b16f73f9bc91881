using Asl.Distributed.Losses;
using Asl.Distributed.Training.Interop;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Losses;

/// <summary>
/// The multi-label asymmetric loss as tensor operations following the official <c>AsymmetricLoss</c>
/// (asl-reference §1, steps 1–5), with the logs taken in log space, differentiated by autograd. It runs on any
/// device and is the reference the fused kernel is held to.
/// </summary>
public static class AsymmetricLossComposite
{
    /// <summary>
    /// Computes the loss of <paramref name="logits"/> against <paramref name="targets"/> (same shape, values in
    /// [0, 1]; soft targets allowed). Half-precision logits are computed in float32; float64 stays float64.
    /// </summary>
    /// <remarks>
    /// The official code takes log(max(x, eps)) of x = p and x = 1 − p_m. Here the same values come as
    /// max(log x, log eps), with log p = log σ(z) and, without a clip, log(1 − p) = log σ(−z), both computed without
    /// forming p: in float32, σ(z) rounds to 1 above z ≈ 17.3, and log(max(1 − p, eps)) would be log eps with no
    /// gradient for a negative the float64 formula still sees (loss 17.00000004 at z = 17, gradient 0.99999996). With a
    /// clip, log(1 − p_m) is log1p(−p_m), accurate where p_m is small, and 1 − p_m ≥ m keeps it well away from 0. The
    /// focusing weight's base 1 − pt is y·(1 − p) + (1 − y)·p_m, the same number without the cancellation.
    /// The clamps keep their official meaning: a positive whose probability is below eps (logit below about
    /// −18.4) contributes a constant and gets no gradient, and this implementation keeps that dead gradient on
    /// purpose (users compare runs against the official code); the same holds for a negative above +18.4 without
    /// a clip.
    /// </remarks>
    public static Tensor Compute(Tensor logits, Tensor targets, AsymmetricLossSettings s)
    {
        AsymmetricLossInputs.Check(logits, targets);
        using var scope = NewDisposeScope();
        // Every Scalar is made here and referenced until the method returns: the operators (1 - p, a + b, x * γ, …)
        // would make their own, which a finalizer on another thread could free mid-call (issue 15). Each line is the
        // operation the operator runs, with a Scalar of the same type, so results are unchanged bit for bit.
        var one = HeldScalars.One;
        using var minusClip = (-s.Clip).ToScalar();
        using var logEps = Math.Log(s.Eps).ToScalar();
        using var zero = 0.0.ToScalar();
        using var gammaNeg = s.GammaNeg.ToScalar();
        using var gammaStep = (s.GammaPos - s.GammaNeg).ToScalar();
        using var focalBaseFloor = (s.GuardsFocalWeightBase ? s.Eps : 0).ToScalar();
        using var batchSize = logits.shape[0].ToScalar();
        var z = AsymmetricLossInputs.ComputeDType(logits);
        var y = targets.to(z.dtype);
        // p = σ(z) as the exponential of log σ(z), so that its derivative is p·σ(−z) from log σ's backward: sigmoid's
        // own backward, σ(1 − σ) from its output, loses it where σ rounds to 1. q = 1 − p is needed for the
        // focusing weight's base only, and its derivative only where the weight is differentiated.
        var logP = nn.functional.logsigmoid(z);
        Tensor? logQ = s.Clip > 0 ? null : nn.functional.logsigmoid(z.neg());
        Tensor logQNeg;
        Tensor? pm = null; // p_m, here when the log term needs it; without a clip it is p
        if (s.Clip > 0)
        {
            // min(1 − p + m, 1) = 1 − p_m with p_m = max(p − m, 0); the clamp stops the gradient of negatives with p < m.
            pm = logP.exp().add(minusClip, one).clamp_min(zero);
            logQNeg = pm.neg().log1p();
        }
        else
        {
            logQNeg = logQ!;
        }

        // y·log p + (1 − y)·log(1 − p_m) as one interpolation from the negative's term to the positive's, weighted
        // by y: one operation and one backward kernel instead of three of each; a hard target picks a term exactly.
        var loss = logQNeg.clamp_min(logEps).lerp(logP.clamp_min(logEps), y);

        if (s.HasFocalWeight)
        {
            Tensor weight;
            bool differentiated = !s.DetachFocalWeight && torch.is_grad_enabled();
            // Scoped, unlike the official class which switches autograd back on globally afterwards.
            using (torch.set_grad_enabled(differentiated))
            {
                var q = logQ is not null ? logQ.exp()
                    : differentiated ? nn.functional.logsigmoid(z.neg()).exp() : z.neg().sigmoid();
                // 1 − pt as y·(1 − p) + (1 − y)·p_m, from p_m to 1 − p by y: equal, and without the cancellation.
                // Targets outside [0, 1] could make it negative, and pow of it a NaN: floor it at 0 (or at eps, see
                // GuardsFocalWeightBase).
                var focalBase = (pm ?? logP.exp()).lerp(q, y).clamp_min(focalBaseFloor);
                // The exponent y·γ+ + (1 − y)·γ−; one number when the two are equal (the focal preset).
                weight = s.GammaPos == s.GammaNeg
                    ? focalBase.pow(gammaNeg)
                    : focalBase.pow(y.mul(gammaStep).add(gammaNeg, one));
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
