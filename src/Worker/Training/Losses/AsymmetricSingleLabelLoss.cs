using Asl.Distributed.Losses;
using Asl.Distributed.Training.Interop;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Losses;

/// <summary>
/// Single-label asymmetric loss, the official <c>ASLSingleLabel</c>: softmax log-probabilities weighted by
/// (1 − q_target)^γ+ on the target class and q_j^γ− on the others (the weight is not detached), against
/// label-smoothed targets (1 − ε)·onehot + ε/K. With ε = 0 and γ+ = 0 it is softmax cross-entropy.
/// </summary>
public sealed class AsymmetricSingleLabelLoss : nn.Module<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the loss; <paramref name="options"/> defaults to the official settings and is validated.</summary>
    public AsymmetricSingleLabelLoss(AsymmetricSingleLabelLossOptions? options = null)
        : base(nameof(AsymmetricSingleLabelLoss))
    {
        Options = (options ?? new AsymmetricSingleLabelLossOptions()).Validate();
    }

    /// <summary>The validated settings this module applies.</summary>
    public AsymmetricSingleLabelLossOptions Options { get; }

    /// <summary>The loss of <paramref name="logits"/> [B, K] against class indices <paramref name="targets"/> [B].</summary>
    public override Tensor forward(Tensor logits, Tensor targets) => Compute(logits, targets, Options);

    /// <summary>
    /// The loss as a pure function. <paramref name="logits"/>: [B, K] floating point, K ≥ 2; <paramref name="targets"/>:
    /// [B] int64 class indices in [0, K) on the same device. Half and bfloat16 logits are computed (and returned) in
    /// float32, float64 stays float64. Reductions: <see cref="LossReduction.Mean"/> (official) and
    /// <see cref="LossReduction.BatchMean"/> both average the per-sample losses, because a sample has one loss value
    /// here; <see cref="LossReduction.Sum"/> adds them; <see cref="LossReduction.None"/> returns them, shape [B].
    /// The caller's autograd mode is left as it is. Bad inputs throw an <see cref="ArgumentException"/>, bad options a
    /// <see cref="Asl.Distributed.Configuration.ConfigException"/>.
    /// </summary>
    public static Tensor Compute(Tensor logits, Tensor targets, AsymmetricSingleLabelLossOptions options)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ValidateInputs(logits, targets);

        using var scope = torch.NewDisposeScope();
        var classes = logits.shape[1];
        var eps = options.Eps;
        // Every Scalar is made here and referenced until the method returns: the operators would make their own, which
        // a finalizer on another thread could free mid-call (issue 15).
        using var minusInfinity = double.NegativeInfinity.ToScalar();
        using var gammaPos = options.GammaPos.ToScalar();
        using var gammaNeg = options.GammaNeg.ToScalar();
        using var targetShare = (1 - eps).ToScalar();
        using var spreadShare = (eps / classes).ToScalar();
        using var first = 0L.ToScalar();
        using var classCount = classes.ToScalar();
        // In half precision small probabilities round to zero and their logs to −∞ (reference §4).
        var computeType = logits.dtype is ScalarType.Float16 or ScalarType.BFloat16 ? ScalarType.Float32 : logits.dtype;
        var z = logits.to_type(computeType);

        var logQ = z.log_softmax(1);
        var isTarget = targets.unsqueeze(1).eq(torch.arange(first, classCount, HeldScalars.One, dtype: ScalarType.Int64, device: z.device));

        // The official code raises the bases to their powers with pow, whose gradient γ·base^(γ−1) is ∞ at a
        // saturated probability when 0 < γ < 1, and 0·∞ = NaN then poisons the backward pass (reference §4). Here
        // each weight is exp(γ·log base), with log base taken from the logits directly: log q_j is log_softmax, and
        // log(1 − q_target) = logsumexp over the other classes − logsumexp over all. The forward values equal the
        // official ones up to rounding; the gradient is the same function but stays finite everywhere, so no clamp
        // of the base (which would change both loss and gradient below the clamp) is needed.
        var logOneMinusQTarget = z.masked_fill(isTarget, minusInfinity).logsumexp(1, keepdim: true)
            .sub(z.logsumexp(1, keepdim: true));
        var logWeight = torch.where(isTarget, logOneMinusQTarget.mul(gammaPos), logQ.mul(gammaNeg));
        var weightedLogQ = logQ.mul(logWeight.exp());

        var smoothed = isTarget.to_type(computeType).mul(targetShare).add(spreadShare, HeldScalars.One);
        var perSample = smoothed.mul(weightedLogQ).sum(1).neg();

        var loss = options.Reduction switch
        {
            LossReduction.Mean or LossReduction.BatchMean => perSample.mean(),
            LossReduction.Sum => perSample.sum(),
            LossReduction.None => perSample,
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Reduction, "unknown reduction"),
        };
        return loss.MoveToOuterDisposeScope();
    }

    private static void ValidateInputs(Tensor logits, Tensor targets)
    {
        if (logits.dim() != 2)
            throw new ArgumentException(
                $"logits must have shape [batch, classes]; got {Shape(logits)}", nameof(logits));
        if (!logits.is_floating_point())
            throw new ArgumentException(
                $"logits must be floating point (float16, bfloat16, float32 or float64); got {logits.dtype}", nameof(logits));
        var (batch, classes) = (logits.shape[0], logits.shape[1]);
        if (batch == 0)
            throw new ArgumentException("logits hold an empty batch; the loss needs at least one sample", nameof(logits));
        if (classes < 2)
            throw new ArgumentException(
                $"logits have {classes} class(es); a softmax loss needs at least 2", nameof(logits));
        if (targets.dim() != 1 || targets.shape[0] != batch)
            throw new ArgumentException(
                $"targets must be class indices of shape [{batch}] to match logits {Shape(logits)}; got {Shape(targets)}",
                nameof(targets));
        if (targets.dtype != ScalarType.Int64)
            throw new ArgumentException(
                $"targets must be int64 class indices; got {targets.dtype}", nameof(targets));
        if (targets.device_type != logits.device_type || targets.device_index != logits.device_index)
            throw new ArgumentException(
                $"targets are on {targets.device} but logits are on {logits.device}", nameof(targets));

        using var scope = torch.NewDisposeScope();
        using var zero = 0L.ToScalar();
        using var classCount = classes.ToScalar();
        if (targets.lt(zero).logical_or(targets.ge(classCount)).any().item<bool>())
            throw new ArgumentException(
                $"targets must lie in [0, {classes}); got values from {targets.min().item<long>()} to {targets.max().item<long>()}",
                nameof(targets));
    }

    private static string Shape(Tensor tensor) => $"[{string.Join(", ", tensor.shape)}]";
}
