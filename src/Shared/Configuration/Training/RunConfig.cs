namespace Asl.Distributed.Configuration.Training;

/// <summary>How the loop runs (config section <c>run</c>): batch, precision, EMA, NaN policy, threads, metrics.</summary>
public sealed class RunConfig
{
    /// <summary>Allowed values of <see cref="Precision"/>.</summary>
    public static readonly IReadOnlyList<string> Precisions = ["float32", "bfloat16", "float16"];

    /// <summary>Allowed values of <see cref="NanPolicy"/>.</summary>
    public static readonly IReadOnlyList<string> NanPolicies = ["fail", "skip"];

    /// <summary>Allowed values of <see cref="MapPolicy"/>.</summary>
    public static readonly IReadOnlyList<string> MapPolicies = ["exclude", "count-as-zero"];

    /// <summary>Images per optimizer step (global batch).</summary>
    public int BatchSize { get; set; } = 128;

    /// <summary>Compute precision of the forward pass; master weights and the loss stay float32.</summary>
    public string Precision { get; set; } = "float32";

    /// <summary>EMA decay of weights and buffers, updated every step; 0 disables the EMA model.</summary>
    public double EmaDecay { get; set; } = 0.9997;

    /// <summary>fail: a NaN or infinite loss stops the run naming step and batch; skip: the step is skipped and counted.</summary>
    public string NanPolicy { get; set; } = "fail";

    /// <summary>Torch intra-op threads; 0 uses every core.</summary>
    public int Threads { get; set; }

    /// <summary>Decoding and augmentation threads; 0 uses every core.</summary>
    public int LoaderWorkers { get; set; }

    /// <summary>Batches decoded ahead of the trainer.</summary>
    public int Prefetch { get; set; } = 2;

    /// <summary>Score threshold of CP/CR/CF1/OP/OR/OF1 (the official validate script uses 0.8).</summary>
    public double Threshold { get; set; } = 0.5;

    /// <summary>Classes without positives: exclude (default) or count-as-zero (the official helper).</summary>
    public string MapPolicy { get; set; } = "exclude";

    internal void Validate(string prefix)
    {
        ConfigChecks.InRange(BatchSize, 1, 65_536, $"{prefix}.batch_size");
        ConfigChecks.OneOf(Precision, Precisions, $"{prefix}.precision");
        ConfigChecks.InRange(EmaDecay, 0, 0.999999999, $"{prefix}.ema_decay");
        ConfigChecks.OneOf(NanPolicy, NanPolicies, $"{prefix}.nan_policy");
        ConfigChecks.InRange(Threads, 0, 1024, $"{prefix}.threads");
        ConfigChecks.InRange(LoaderWorkers, 0, 1024, $"{prefix}.loader_workers");
        ConfigChecks.InRange(Prefetch, 1, 64, $"{prefix}.prefetch");
        ConfigChecks.InRange(Threshold, 0, 1, $"{prefix}.threshold");
        ConfigChecks.OneOf(MapPolicy, MapPolicies, $"{prefix}.map_policy");
    }
}
