using TorchSharp;

namespace Asl.Distributed.Training.Interop;

/// <summary>
/// Scalars that stay reachable for the whole process. TorchSharp 0.107 hands libtorch only a Scalar's raw handle and
/// frees the native value in the Scalar's finalizer, so a Scalar made on the fly for one call (<c>t.add_(1)</c>, or
/// the alpha of 1 that <c>Tensor.add_(Tensor)</c> makes inside TorchSharp) is garbage while the native call that
/// reads it still runs: a collection on any other thread can finalize it mid-call and libtorch reads freed memory
/// (issue 15: "argument alpha must not be a floating point number" from BatchNorm's batch counter). A static field
/// is a root, so these are never finalized; libtorch only reads them, so threads may share them.
/// </summary>
internal static class HeldScalars
{
    /// <summary>The integer 1, as PyTorch makes it from a Python <c>1</c> (an int64 Scalar).</summary>
    public static readonly Scalar One = 1L.ToScalar();

    /// <summary>1 − <paramref name="tensor"/>, computed as TorchSharp's <c>1 - tensor</c> does (negate, add 1) but with held Scalars.</summary>
    public static torch.Tensor OneMinus(torch.Tensor tensor)
    {
        using var negated = tensor.negative();
        return negated.add(One, One);
    }
}
