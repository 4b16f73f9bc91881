using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Losses;

/// <summary>
/// The multi-label asymmetric loss with loss and gradient computed together in one vectorised pass on the CPU
/// (a custom autograd function). Same value and gradient as <see cref="AsymmetricLossComposite"/> to rounding.
/// </summary>
public static class AsymmetricLossFused
{
    /// <summary>True when the fused kernel can run on these logits: a CPU tensor of a floating-point type.</summary>
    public static bool Supports(Tensor logits) => logits.device_type == DeviceType.CPU && logits.is_floating_point();

    /// <summary>Computes the loss; half-precision logits are computed in float32, float64 stays float64.</summary>
    public static Tensor Compute(Tensor logits, Tensor targets, AsymmetricLossSettings s)
    {
        AsymmetricLossInputs.Check(logits, targets);
        if (!Supports(logits))
            throw new ArgumentException($"the fused loss runs on CPU tensors; logits are on {logits.device}", nameof(logits));
        var z = AsymmetricLossInputs.ComputeDType(logits);
        bool needGrad = torch.is_grad_enabled() && z.requires_grad;
        var result = FusedAsymmetricLossFunction.apply(z, targets, s, needGrad);
        if (!ReferenceEquals(z, logits))
            z.Dispose();
        return result;
    }
}
