using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Losses;

/// <summary>Shape and type checks shared by the loss implementations.</summary>
internal static class AsymmetricLossInputs
{
    /// <summary>Throws an <see cref="ArgumentException"/> that names both shapes or the offending type.</summary>
    public static void Check(Tensor logits, Tensor targets)
    {
        if (!logits.is_floating_point())
            throw new ArgumentException($"logits must be a floating-point tensor; got {logits.dtype}", nameof(logits));
        if (logits.dim() < 1)
            throw new ArgumentException("logits must have a batch dimension; got a scalar", nameof(logits));
        if (!logits.shape.SequenceEqual(targets.shape))
            throw new ArgumentException(
                $"targets shape [{string.Join(", ", targets.shape)}] differs from logits shape [{string.Join(", ", logits.shape)}]",
                nameof(targets));
        if (targets.dtype == ScalarType.ComplexFloat32 || targets.dtype == ScalarType.ComplexFloat64)
            throw new ArgumentException($"targets must be real numbers in [0, 1]; got {targets.dtype}", nameof(targets));
    }

    /// <summary>The loss is computed in float32 whatever the model's precision; float64 is kept.</summary>
    public static Tensor ComputeDType(Tensor logits) =>
        logits.dtype == ScalarType.Float64 || logits.dtype == ScalarType.Float32 ? logits : logits.to(ScalarType.Float32);
}
