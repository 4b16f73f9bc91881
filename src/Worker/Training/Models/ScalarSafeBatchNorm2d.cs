using Asl.Distributed.Training.Interop;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Models;

/// <summary>
/// Batch normalisation over [N, C, H, W] with the parameters, buffers, defaults and numerics of TorchSharp's
/// <c>nn.BatchNorm2d</c> (weight, bias, running_mean, running_var, num_batches_tracked; eps 1e-5, momentum 0.1), so
/// checkpoints and torchvision/timm weight files load unchanged. It exists because TorchSharp 0.107's
/// <c>BatchNorm.forward</c> counts batches with <c>num_batches_tracked.add_(1)</c>: both Scalars of that call are made
/// on the fly and nothing references them while libtorch runs, so a garbage collection triggered by another thread
/// (the image loader's, say) can finalize and free them mid-call. libtorch then reads a freed Scalar and fails with
/// "For integral input tensors, argument alpha must not be a floating point number" (issue 15). This module counts
/// with <see cref="HeldScalars.One"/>, which a static field keeps alive, and passes libtorch nothing else that a
/// finalizer could free: the statistics and affine tensors are the module's own fields.
/// </summary>
public sealed class ScalarSafeBatchNorm2d : BatchNorm
{
    /// <summary>Creates the module; the arguments mean what they mean for <c>torch.nn.BatchNorm2d</c>.</summary>
    public ScalarSafeBatchNorm2d(long numFeatures, double eps = 1e-5, double momentum = 0.1, bool affine = true,
        bool trackRunningStats = true, Device? device = null, ScalarType? dtype = null)
        : base(numFeatures, eps, momentum, affine, trackRunningStats, device, dtype, nameof(ScalarSafeBatchNorm2d))
    {
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        ValidateInputDimensions(input);
        // The same decisions, in the same order, as TorchSharp's BatchNorm.forward (and PyTorch's _BatchNorm).
        double averagingFactor = momentum ?? 0.0;
        if (training && track_running_stats && num_batches_tracked is { } count)
        {
            count.add_(HeldScalars.One, HeldScalars.One);
            if (momentum is null)
                averagingFactor = 1.0 / count.item<long>(); // a cumulative moving average
        }

        bool useBatchStatistics = training || (running_mean is null && running_var is null);
        bool passStatistics = !training || track_running_stats;
        return nn.functional.batch_norm(input, passStatistics ? running_mean : null, passStatistics ? running_var : null,
            affine ? weight : null, affine ? bias : null, useBatchStatistics, averagingFactor, eps);
    }

    /// <inheritdoc/>
    protected override void ValidateInputDimensions(Tensor input)
    {
        if (input.ndim != 4)
            throw new ArgumentException($"{nameof(ScalarSafeBatchNorm2d)} expects a 4-D input [N, C, H, W]; got {input.ndim}-D.", nameof(input));
    }
}
