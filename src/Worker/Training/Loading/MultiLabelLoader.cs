using Asl.Distributed.Training.Data;
using Asl.Distributed.Training.Images;

namespace Asl.Distributed.Training.Loading;

/// <summary>
/// Reads a rank's shard of a <see cref="MultiLabelDataset"/> as batches: the <see cref="DistributedSampler"/> gives
/// the order, <see cref="LoaderOptions.WorkerCount"/> threads decode and augment ahead of the consumer through the
/// <see cref="ImagePipeline"/>, and at most <see cref="LoaderOptions.PrefetchBatches"/> batches are in flight.
/// Deterministic: each sample's augmentation draws from <see cref="SampleRandom.For"/>(seed, epoch, sample index), so
/// the same seed gives the same batches for any thread count. Bad images fail the epoch with a
/// <see cref="SampleLoadException"/> naming the file and record, or are skipped (the batch gets shorter; a batch left
/// empty is not delivered) and listed in <see cref="LastEpochReport"/>. One epoch at a time; batches are reused
/// buffers (see <see cref="ImageBatch"/>). Disposing stops the worker threads.
/// </summary>
public sealed class MultiLabelLoader : IDisposable
{
    private readonly object _sync = new();
    private EpochRun? _active;
    private EpochRun? _last;
    private bool _disposed;

    /// <summary>Creates the loader; validates the options and that the sampler covers the data set.</summary>
    public MultiLabelLoader(MultiLabelDataset dataset, DistributedSampler sampler, ImagePipeline pipeline, LoaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (sampler.DatasetLength != dataset.Samples.Count)
            throw new ArgumentException($"The sampler covers {sampler.DatasetLength} samples but data set '{dataset.Name}' has {dataset.Samples.Count}.", nameof(sampler));
        Dataset = dataset;
        Sampler = sampler;
        Pipeline = pipeline;
        Options = options;
    }

    /// <summary>The data set read.</summary>
    public MultiLabelDataset Dataset { get; }

    /// <summary>The order; call its <see cref="DistributedSampler.SetEpoch"/> before each <see cref="ReadEpoch"/>.</summary>
    public DistributedSampler Sampler { get; }

    /// <summary>The per-image transform.</summary>
    public ImagePipeline Pipeline { get; }

    /// <summary>The loader's settings.</summary>
    public LoaderOptions Options { get; }

    /// <summary>Batches per epoch before skips: ceil(NumSamples / B), or floor with <see cref="LoaderOptions.DropLastBatch"/>.</summary>
    public int BatchCount => Options.DropLastBatch
        ? Sampler.NumSamples / Options.BatchSize
        : (Sampler.NumSamples + Options.BatchSize - 1) / Options.BatchSize;

    /// <summary>The report of the last epoch that ended (completed, failed or cancelled), or null before any.</summary>
    public LoaderEpochReport? LastEpochReport { get; private set; }

    /// <summary>
    /// The batches of the sampler's current epoch. Work starts at the first MoveNext and stops when the enumeration
    /// ends or is disposed. Throws <see cref="SampleLoadException"/> at the first bad sample under
    /// <see cref="BadSamplePolicy.Fail"/>, <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> fires, and <see cref="ObjectDisposedException"/> if the loader is
    /// disposed meanwhile.
    /// </summary>
    public IEnumerable<ImageBatch> ReadEpoch(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return ReadEpochCore(cancellationToken);
    }

    /// <summary>Stops the running epoch, if any, and waits for its threads.</summary>
    public void Dispose()
    {
        EpochRun? active, last;
        lock (_sync)
        {
            _disposed = true;
            (active, last) = (_active, _last);
        }

        active?.Stop(wait: true);
        last?.Stop(wait: true);
    }

    private IEnumerable<ImageBatch> ReadEpochCore(CancellationToken cancellationToken)
    {
        var run = new EpochRun(Dataset, Pipeline, Options, Sampler.GetIndices(), Sampler.Epoch);
        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_active is not null)
                throw new InvalidOperationException("An epoch is already being read; finish or dispose its enumerator first.");
            _active = run;
        }

        bool completed = false;
        try
        {
            using var registration = cancellationToken.Register(run.Wake);
            run.Start();
            for (int b = 0; b < run.BatchCount; b++)
            {
                var batch = run.Take(b, cancellationToken);
                if (batch is not null)
                    yield return batch;
            }

            completed = true;
        }
        finally
        {
            // Not waiting here keeps cancellation prompt even when a worker is stuck on a slow file; the run's
            // buffers are its own, so a sample finishing late harms nothing, and Dispose waits for it.
            run.Stop(wait: false);
            LastEpochReport = run.Report(completed);
            lock (_sync)
                (_active, _last) = (null, run);
        }
    }
}
