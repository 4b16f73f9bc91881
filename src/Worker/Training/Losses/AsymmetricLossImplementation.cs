namespace Asl.Distributed.Training.Losses;

/// <summary>Which computation of the multi-label asymmetric loss a module runs.</summary>
public enum AsymmetricLossImplementation
{
    /// <summary>The fused kernel for CPU tensors of float32/float64 (and half precision cast up), the composite elsewhere.</summary>
    Auto,
    /// <summary>Tensor operations in the official order, differentiated by autograd (works on every device).</summary>
    Composite,
    /// <summary>Loss and gradient in one vectorised pass on the CPU with a hand-written backward.</summary>
    Fused,
}
