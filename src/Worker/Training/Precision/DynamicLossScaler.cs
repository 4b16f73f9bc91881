using Asl.Distributed.Configuration.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Precision;

/// <summary>
/// Dynamic loss scaling for float16 compute, with the semantics and defaults of PyTorch's <c>GradScaler</c> (TorchSharp
/// 0.107 has none): the float32 loss is multiplied by the scale before backward so that small float16 gradients do not
/// flush to zero; the float32 master gradients are divided by it again, and one reduction over all of them says whether
/// any is non-finite (one host read per step). A step with a non-finite gradient is skipped and the scale backs off;
/// after <see cref="GrowthInterval"/> finite steps in a row it grows (PyTorch's <c>_amp_update_scale_</c>).
/// </summary>
/// <remarks>
/// The scale is a float32, as PyTorch keeps it (a float32 tensor): the update is computed in double and rounded to
/// float32, and the reciprocal used to unscale is the float32 rounding of the double reciprocal, as in
/// <c>GradScaler.unscale_</c>, so the arithmetic matches PyTorch's bit for bit. With the default factors the scale
/// stays a power of two, so scaling and unscaling are exact. It lives on the host: the flag that decides the update is
/// read there anyway, so keeping the scale beside it costs no extra read. No Scalar is made: the scale enters libtorch
/// as a 0-dim tensor, disposed at once (TorchSharp frees Scalars in finalizers, issue 15).
/// </remarks>
internal sealed class DynamicLossScaler
{
    /// <summary>GradScaler's init_scale, 2^16.</summary>
    public const double DefaultInitialScale = RunConfig.DefaultLossScaleInit;

    /// <summary>GradScaler's growth_factor.</summary>
    public const double DefaultGrowthFactor = 2.0;

    /// <summary>GradScaler's backoff_factor.</summary>
    public const double DefaultBackoffFactor = 0.5;

    /// <summary>GradScaler's growth_interval: finite steps in a row before the scale grows.</summary>
    public const int DefaultGrowthInterval = RunConfig.DefaultLossScaleGrowthInterval;

    private readonly double _growthFactor;
    private readonly double _backoffFactor;

    public DynamicLossScaler(double initialScale = DefaultInitialScale, int growthInterval = DefaultGrowthInterval,
        double growthFactor = DefaultGrowthFactor, double backoffFactor = DefaultBackoffFactor)
    {
        float scale = (float)initialScale;
        if (!float.IsFinite(scale) || scale <= 0)
            throw new ArgumentOutOfRangeException(nameof(initialScale), initialScale, "the initial loss scale must be a positive float32");
        ArgumentOutOfRangeException.ThrowIfLessThan(growthInterval, 1);
        if (!(growthFactor > 1))
            throw new ArgumentOutOfRangeException(nameof(growthFactor), growthFactor, "the growth factor must exceed 1");
        if (!(backoffFactor > 0 && backoffFactor < 1))
            throw new ArgumentOutOfRangeException(nameof(backoffFactor), backoffFactor, "the backoff factor must lie in (0, 1)");
        Scale = scale;
        GrowthInterval = growthInterval;
        _growthFactor = growthFactor;
        _backoffFactor = backoffFactor;
    }

    /// <summary>The current loss scale.</summary>
    public float Scale { get; private set; }

    /// <summary>Finite steps in a row since the scale last changed (GradScaler's growth tracker).</summary>
    public int GrowthTracker { get; private set; }

    public int GrowthInterval { get; }

    /// <summary>Values read back from libtorch to the host so far: one per <see cref="UnscaleGradients"/>.</summary>
    public long HostReads { get; private set; }

    /// <summary>What a checkpoint keeps.</summary>
    public LossScalerState State => new(Scale, GrowthTracker);

    /// <summary>Continues from a checkpoint's state.</summary>
    public void Restore(LossScalerState state)
    {
        if (!float.IsFinite(state.Scale) || state.Scale <= 0 || state.GrowthTracker < 0 || state.GrowthTracker >= GrowthInterval)
            throw new ArgumentException($"loss scaler state out of range: scale {state.Scale}, growth tracker {state.GrowthTracker} (growth interval {GrowthInterval})", nameof(state));
        (Scale, GrowthTracker) = (state.Scale, state.GrowthTracker);
    }

    /// <summary>The loss times the scale (a new tensor in the loss's graph), for backward.</summary>
    public Tensor ScaleLoss(Tensor loss)
    {
        using var scale = torch.tensor(Scale, loss.dtype, loss.device);
        return loss.mul(scale);
    }

    /// <summary>
    /// Divides every gradient by the scale in place and returns whether all of them are finite, reading one value back
    /// to the host. On several ranks pass the all-reduced gradients: they are the same on every rank, so every rank
    /// finds the same answer without another exchange.
    /// </summary>
    public bool UnscaleGradients(IEnumerable<Tensor> gradients)
    {
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        var inverse = torch.tensor((float)(1.0 / Scale), ScalarType.Float32);
        var finite = new List<Tensor>();
        foreach (var gradient in gradients)
        {
            gradient.mul_(inverse);
            finite.Add(gradient.isfinite().all());
        }
        if (finite.Count == 0)
            return true;
        HostReads++;
        return torch.stack(finite).all().item<bool>();
    }

    /// <summary>
    /// PyTorch's <c>_amp_update_scale_</c>: after a non-finite gradient the scale backs off and the tracker restarts;
    /// otherwise the tracker counts the step, and on reaching the growth interval the scale grows (unless that would
    /// overflow float32) and the tracker restarts.
    /// </summary>
    public void Update(bool foundNonFinite)
    {
        if (foundNonFinite)
        {
            Scale = (float)(Scale * _backoffFactor);
            GrowthTracker = 0;
            return;
        }
        int successful = GrowthTracker + 1;
        if (successful == GrowthInterval)
        {
            float grown = (float)(Scale * _growthFactor);
            if (float.IsFinite(grown))
                Scale = grown;
            GrowthTracker = 0;
        }
        else
        {
            GrowthTracker = successful;
        }
    }
}
