using Asl.Distributed.Configuration.Training;

namespace Asl.Distributed.Training.Loading;

/// <summary>
/// Settings of a <see cref="MultiLabelLoader"/>, validated when the loader is built. Memory held by a loader is
/// (<see cref="PrefetchBatches"/> + 1) batch buffers of <see cref="BatchSize"/> · 3 · S² floats: ~19 MiB each at
/// batch 32 and 224², ~308 MiB each at the official batch 128 and 448².
/// </summary>
public sealed record LoaderOptions
{
    /// <summary>Samples per batch (the official COCO recipe uses 128); the last batch may be shorter.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Threads that decode and augment; results do not depend on it.</summary>
    public int WorkerCount { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Most batches being built or waiting at once, ahead of the one the consumer holds (≥ 1).</summary>
    public int PrefetchBatches { get; init; } = new RunConfig().Prefetch;

    /// <summary>Seed of the augmentations; each sample's random source is (seed, epoch, sample index).</summary>
    public long Seed { get; init; }

    /// <summary>Drop the last batch when it is shorter than <see cref="BatchSize"/> (PyTorch's DataLoader drop_last).</summary>
    public bool DropLastBatch { get; init; }

    /// <summary>What to do with a missing or corrupt image.</summary>
    public BadSamplePolicy BadSamplePolicy { get; init; } = BadSamplePolicy.Fail;

    /// <summary>How many skipped samples the epoch report lists by name (the count covers all).</summary>
    public int ReportedSkipLimit { get; init; } = 10;

    /// <summary>Test seam: called on a worker thread with the epoch position of each sample as its work starts.</summary>
    internal Action<int>? SampleStarting { get; init; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid field and its allowed values.</summary>
    public void Validate()
    {
        if (BatchSize < 1)
            throw new ArgumentException($"{nameof(BatchSize)} must be ≥ 1 (got {BatchSize}).");
        if (WorkerCount is < 1 or > 256)
            throw new ArgumentException($"{nameof(WorkerCount)} must be in 1…256 (got {WorkerCount}).");
        TrainingConfig.Schema.Find("run.prefetch")!.Require(PrefetchBatches, nameof(PrefetchBatches));
        if (!Enum.IsDefined(BadSamplePolicy))
            throw new ArgumentException($"{nameof(BadSamplePolicy)} must be Fail or Skip (got {BadSamplePolicy}).");
        if (ReportedSkipLimit < 0)
            throw new ArgumentException($"{nameof(ReportedSkipLimit)} must be ≥ 0 (got {ReportedSkipLimit}).");
    }
}
