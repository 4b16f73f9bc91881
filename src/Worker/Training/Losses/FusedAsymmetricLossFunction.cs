using Asl.Distributed.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Losses;

/// <summary>
/// Autograd function around <see cref="AsymmetricLossKernel"/>: the forward pass computes the loss and, when a
/// gradient will be needed, the gradient with respect to the logits in the same pass; the backward pass only
/// scales that stored gradient by the incoming one.
/// </summary>
internal sealed class FusedAsymmetricLossFunction : autograd.SingleTensorFunction<FusedAsymmetricLossFunction>
{
    public override string Name => nameof(FusedAsymmetricLossFunction);

    /// <summary>Inputs: logits (CPU, float32 or float64), targets, settings, whether a gradient is needed.</summary>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var logits = ((Tensor)vars[0]).contiguous();
        var targets = ((Tensor)vars[1]).to(logits.dtype).contiguous();
        var s = (AsymmetricLossSettings)vars[2];
        bool needGrad = (bool)vars[3];

        long count = logits.numel();
        var loss = s.Reduction == LossReduction.None ? torch.empty_like(logits) : null;
        var grad = needGrad ? torch.empty_like(logits) : null;
        double scale = s.Reduction switch
        {
            LossReduction.Mean => count == 0 ? 0 : 1.0 / count,
            LossReduction.BatchMean => 1.0 / logits.shape[0],
            _ => 1.0,
        };
        int threads = Math.Max(1, torch.get_num_threads());
        double sum = logits.dtype == ScalarType.Float64
            ? Run<double, DoubleVectorMath>(logits, targets, loss, grad, count, s, scale, threads)
            : Run<float, SingleVectorMath>(logits, targets, loss, grad, count, s, scale, threads);

        if (grad is not null)
            ctx.save_for_backward([grad]);
        return s.Reduction switch
        {
            LossReduction.None => loss!,
            LossReduction.Mean => torch.tensor(count == 0 ? double.NaN : sum / count, logits.dtype),
            LossReduction.BatchMean => torch.tensor(sum / logits.shape[0], logits.dtype),
            _ => torch.tensor(sum, logits.dtype),
        };
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        var grad = ctx.get_saved_variables()[0];
        // A reduced loss is usually the root of backward (incoming gradient 1): hand the stored gradient over
        // instead of spending another pass over it.
        bool unitSeed = grad_output.dim() == 0 && IsOne(grad_output);
        // One entry per argument of apply: logits, targets, settings, needGrad.
        return [unitSeed ? grad : grad.mul(grad_output), null!, null!, null!];
    }

    // Tensor.ToDouble() reads a Scalar that nothing references during the read, which a finalizer on another thread
    // could free (issue 15); this one stays referenced until the using ends.
    private static bool IsOne(Tensor scalarTensor)
    {
        using var value = scalarTensor.ToScalar();
        return value.ToDouble() == 1.0;
    }

    private static unsafe double Run<T, TMath>(Tensor logits, Tensor targets, Tensor? loss, Tensor? grad, long count,
        AsymmetricLossSettings s, double scale, int threads)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
        where TMath : struct, IVectorMath<T>
    {
        if (count == 0)
            return 0;
        return AsymmetricLossKernel.Run<T, TMath>(
            Pointer<T>(logits), Pointer<T>(targets), loss is null ? null : Pointer<T>(loss), grad is null ? null : Pointer<T>(grad),
            count, s, scale, threads);
    }

    private static unsafe T* Pointer<T>(Tensor tensor) where T : unmanaged =>
        (T*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(tensor.bytes));
}
