using Asl.Distributed.Configuration.Schema;

namespace Asl.Distributed.Configuration.Training;

/// <summary>How the loop runs (config section <c>run</c>): batch, device, precision, EMA, NaN policy, threads, metrics.</summary>
public sealed class RunConfig
{
    /// <summary>PyTorch GradScaler's init_scale, 2^16.</summary>
    public const double DefaultLossScaleInit = 65536;

    /// <summary>PyTorch GradScaler's growth_interval.</summary>
    public const int DefaultLossScaleGrowthInterval = 2000;

    [Setting("Images per optimizer step: the global batch, split evenly over data-parallel ranks.", Min = 1, Max = 65_536)]
    public int BatchSize { get; set; } = 128;

    [Setting("Where the run trains: auto (a CUDA device when one is usable, else the CPU), cpu, cuda (the process's device: cuda:0, or the rank's own on one host) or cuda:N.")]
    public ComputeDevice Device { get; set; } = ComputeDevice.Auto;

    [Setting("CUDA only: let matrix products use TF32 (torch.backends.cuda.matmul.allow_tf32; off by default, as in PyTorch).")]
    public bool Tf32Matmul { get; set; }

    [Setting("CUDA only: let cuDNN convolutions use TF32 (torch.backends.cudnn.allow_tf32; on by default, as in PyTorch).")]
    public bool Tf32Cudnn { get; set; } = true;

    [Setting("Compute precision of forward and backward; master weights and the loss stay float32.")]
    public ComputePrecision Precision { get; set; } = ComputePrecision.Float32;

    [Setting("float16 only: the dynamic loss scaler's starting scale (PyTorch GradScaler's init_scale); it halves after a step with a non-finite gradient, which is skipped.", Min = 1, Max = 1_048_576)]
    public double LossScaleInit { get; set; } = DefaultLossScaleInit;

    [Setting("float16 only: finite steps in a row after which the loss scale doubles (GradScaler's growth_interval).", Min = 1, Max = 1_000_000_000)]
    public int LossScaleGrowthInterval { get; set; } = DefaultLossScaleGrowthInterval;

    [Setting("EMA decay of weights and buffers, updated every step; 0 turns the EMA model off.", Min = 0, Max = 0.999999999)]
    public double EmaDecay { get; set; } = 0.9997;

    [Setting("fail: a non-finite loss or validation score stops the run naming epoch and batch; skip: the step is skipped and counted, a diverged validation is recorded.")]
    public NanPolicy NanPolicy { get; set; } = NanPolicy.Fail;

    [Setting("Torch intra-op threads; 0 uses every core.", Min = 0, Max = 1024)]
    public int Threads { get; set; }

    [Setting("Image decoding and augmentation threads; 0 uses every core.", Min = 0, Max = 1024)]
    public int LoaderWorkers { get; set; }

    [Setting("Batches decoded ahead of the trainer.", Min = 1, Max = 64)]
    public int Prefetch { get; set; } = 2;

    [Setting("Score threshold of CP/CR/CF1/OP/OR/OF1 (the official validate script uses 0.8).", Min = 0, Max = 1)]
    public double Threshold { get; set; } = 0.5;

    [Setting("Classes without positives in the validation set: exclude them from mAP, or count them as AP 0 (the official helper).")]
    public MapPolicy MapPolicy { get; set; } = MapPolicy.Exclude;
}
