using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Losses;
using Asl.Distributed.Training.Collectives;
using Asl.Distributed.Training.DataParallel;
using Asl.Distributed.Training.Devices;
using Asl.Distributed.Training.Losses;
using Asl.Distributed.Training.Precision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Loop;

/// <summary>
/// What a run trains and with what: the model, its EMA, the low-precision compute copy, Adam, the loss with its
/// adaptive γ−, and on several ranks the gradient buckets and their overlap with backward. Built in a fixed order
/// after seeding, so that every run of a config starts from the same weights.
/// </summary>
internal sealed class TrainingModels : IDisposable
{
    private TrainingModels(nn.Module<Tensor, Tensor> model, ModelEma? ema, AsymmetricLoss loss, AdaptiveAsymmetry? adaptive, Optimizers.Adam optimizer,
        LowPrecisionCompute? lowPrecision, DynamicLossScaler? scaler, GradientBuckets? buckets, BackwardOverlap? overlap)
    {
        Model = model;
        Ema = ema;
        Loss = loss;
        Adaptive = adaptive;
        Optimizer = optimizer;
        LowPrecision = lowPrecision;
        Scaler = scaler;
        Buckets = buckets;
        Overlap = overlap;
    }

    public nn.Module<Tensor, Tensor> Model { get; }

    public ModelEma? Ema { get; }

    public AsymmetricLoss Loss { get; }

    public AdaptiveAsymmetry? Adaptive { get; }

    public Optimizers.Adam Optimizer { get; }

    public LowPrecisionCompute? LowPrecision { get; }

    /// <summary>The dynamic loss scaler of float16 runs; null otherwise (bfloat16 has float32's range and needs none).</summary>
    public DynamicLossScaler? Scaler { get; }

    /// <summary>The flat gradient buffer all-reduced between ranks; null on one rank.</summary>
    public GradientBuckets? Buckets { get; }

    public BackwardOverlap? Overlap { get; }

    /// <summary>Whether gradients are averaged over the ranks (mean-reduced losses) rather than summed.</summary>
    public bool AverageGradients => Averaged(Loss.Options.Reduction);

    /// <summary>
    /// Seeds torch (every CUDA device too) with the run's seed and builds everything on <paramref name="device"/>;
    /// <paramref name="createModel"/> runs two or three times. On CUDA the TF32 switches are set as configured.
    /// </summary>
    public static TrainingModels Create(TrainingConfig config, Func<nn.Module<Tensor, Tensor>> createModel, ProcessGroup group, TrainingDevice device)
    {
        torch.manual_seed(config.Seed);
        if (device.IsCuda)
        {
            torch.cuda.manual_seed_all(config.Seed);
            torch.backends.cuda.matmul.allow_tf32 = config.Run.Tf32Matmul;
            torch.backends.cudnn.allow_tf32 = config.Run.Tf32Cudnn;
        }
        var target = device.Torch;
        nn.Module<Tensor, Tensor> Place(nn.Module<Tensor, Tensor> created) => device.IsCuda ? created.to(target) : created;
        var model = Place(createModel());
        model.train();
        var ema = config.Run.EmaDecay > 0 ? new ModelEma(Place(createModel()), model, config.Run.EmaDecay) : null;
        var lossOptions = config.Loss.ToOptions();
        var adaptive = lossOptions.Adaptive is null ? null : new AdaptiveAsymmetry(lossOptions.Adaptive, lossOptions.GammaNeg);
        var loss = new AsymmetricLoss(lossOptions, adaptive: adaptive);
        var lowPrecision = config.Run.Precision switch
        {
            ComputePrecision.Float32 => null,
            ComputePrecision.BFloat16 => new LowPrecisionCompute(model, Place(createModel()), ScalarType.BFloat16),
            ComputePrecision.Float16 => new LowPrecisionCompute(model, Place(createModel()), ScalarType.Float16),
            _ => throw new ArgumentOutOfRangeException(nameof(config), config.Run.Precision, "not a precision"),
        };
        var scaler = config.Run.Precision == ComputePrecision.Float16
            ? new DynamicLossScaler(config.Run.LossScaleInit, config.Run.LossScaleGrowthInterval)
            : null;
        // After LowPrecisionCompute, which gives the master weights gradients of their own: the flat layout's views (or
        // the buckets') replace them. Neither draws random numbers, so the weights are those of the order before.
        var optimizer = CreateOptimizer(model, config, device);
        long bucketBytes = (long)(config.Distributed.BucketMb * (1 << 20));
        // With the flat step the buckets are cut over the optimizer's gradient buffer: one buffer for both.
        var buckets = group.WorldSize <= 1 ? null
            : optimizer.Flat is { } flat ? new GradientBuckets(flat, bucketBytes)
            : new GradientBuckets(model.parameters(), bucketBytes);
        bool average = Averaged(lossOptions.Reduction);
        // With a low-precision compute copy the master gradients appear only after backward: nothing to overlap.
        var overlap = buckets is not null && config.Distributed.Overlap && lowPrecision is null ? new BackwardOverlap(model, buckets, group, average) : null;
        return new TrainingModels(model, ema, loss, adaptive, optimizer, lowPrecision, scaler, buckets, overlap);
    }

    /// <summary>
    /// Adam over the two parameter groups (weight decay on weights only), as the run configures it; with
    /// the flat step (<c>optimizer.step_layout</c>: flat, or auto on <paramref name="device"/> CUDA) the model's
    /// parameters and gradients move into the optimizer's flat buffers.
    /// </summary>
    internal static Optimizers.Adam CreateOptimizer(nn.Module model, TrainingConfig config, TrainingDevice device)
    {
        var (decay, noDecay) = ParameterGroups.Split(model);
        var o = config.Optimizer;
        double beta1 = config.Schedule.Kind == ScheduleKind.OneCycle && config.Schedule.CycleMomentum ? config.Schedule.MaxMomentum : 0.9;
        return new Optimizers.Adam( // TorchSharp's Adam, minus the Scalars a finalizer can free mid-step (issue 15)
        [
            new Adam.ParamGroup(decay.Select(p => p.Parameter), o.Lr, beta1, o.Beta2, o.AdamEps, o.WeightDecay),
            new Adam.ParamGroup(noDecay.Select(p => p.Parameter), o.Lr, beta1, o.Beta2, o.AdamEps, 0),
        ], o.Lr, beta1, o.Beta2, o.AdamEps, flat: Flat(o.StepLayout, device));
    }

    /// <summary>
    /// Whether Adam steps on flat buffers: on a GPU one kernel per operation and group beats one per tensor; on the
    /// CPU the per-tensor passes stay in cache and are faster (measured: 35 against 118 ms for ResNet-50's step).
    /// </summary>
    internal static bool Flat(OptimizerStepLayout layout, TrainingDevice device) =>
        layout == OptimizerStepLayout.Flat || (layout == OptimizerStepLayout.Auto && device.IsCuda);

    private static bool Averaged(LossReduction reduction) => reduction is LossReduction.Mean or LossReduction.BatchMean;

    public void Dispose()
    {
        Overlap?.Dispose();
        Buckets?.Dispose();
        Optimizer.Dispose();
        Loss.Dispose();
    }
}
