using Asl.Distributed.Training.Data;
using Asl.Distributed.Training.Images;

namespace Asl.Distributed.Training.Loading;

/// <summary>
/// One epoch of loading: worker threads claim sample positions in reading order, decode and augment each into its row
/// of a batch buffer, and the consumer takes finished batches in order. Bounded prefetch: a worker may start a sample
/// only if its batch is fewer than P batches ahead of the next batch the consumer will take, so at most P batches
/// are being built or waiting, in P + 1 buffers (one more for the batch the consumer holds). Buffer b mod (P + 1)
/// is therefore never one the consumer still reads.
/// </summary>
internal sealed class EpochRun
{
    private readonly object _gate = new();
    private readonly MultiLabelDataset _dataset;
    private readonly ImagePipeline _pipeline;
    private readonly LoaderOptions _options;
    private readonly int[] _indices;
    private readonly int _sampleCount;
    private readonly int _batchSize;
    private readonly int _window;
    private readonly BatchSlot[] _slots;
    private readonly Thread[] _threads;
    private readonly List<SkippedSample> _firstSkipped = [];
    private int _nextPosition;
    private int _startedBatches;
    private int _takenBatches;
    private int _peakInFlight;
    private int _deliveredBatches;
    private int _deliveredSamples;
    private int _skippedCount;
    private bool _stopping;
    private Exception? _workerFault;

    public EpochRun(MultiLabelDataset dataset, ImagePipeline pipeline, LoaderOptions options, int[] indices, int epoch)
    {
        _dataset = dataset;
        _pipeline = pipeline;
        _options = options;
        _indices = indices;
        Epoch = epoch;
        _batchSize = options.BatchSize;
        _window = options.PrefetchBatches;
        _sampleCount = options.DropLastBatch ? indices.Length / _batchSize * _batchSize : indices.Length;
        BatchCount = (_sampleCount + _batchSize - 1) / _batchSize;
        // With few batches every batch gets its own buffer, and a small epoch does not allocate full-size batches.
        int slotCount = Math.Min(_window + 1, BatchCount);
        int capacity = Math.Min(_batchSize, _sampleCount);
        _slots = new BatchSlot[slotCount];
        for (int i = 0; i < slotCount; i++)
            _slots[i] = new BatchSlot(capacity, pipeline.ImageSize, dataset.ClassCount);
        _threads = new Thread[Math.Min(options.WorkerCount, Math.Max(1, _sampleCount))];
    }

    public int Epoch { get; }

    public int BatchCount { get; }

    public void Start()
    {
        for (int i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(WorkerLoop) { IsBackground = true, Name = $"asl-loader-{i}" };
            _threads[i].Start();
        }
    }

    /// <summary>Waits for batch <paramref name="batchNumber"/>, releases the previous one to the workers, and returns it.</summary>
    public ImageBatch? Take(int batchNumber, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        BatchSlot slot = _slots[batchNumber % (_window + 1)];
        lock (_gate)
        {
            while (true)
            {
                if (_workerFault is not null)
                    throw new InvalidOperationException("A loader thread failed outside any sample.", _workerFault);
                if (_stopping)
                    throw new ObjectDisposedException(nameof(MultiLabelLoader), "The loader was disposed during the epoch.");
                cancellationToken.ThrowIfCancellationRequested();
                if (_startedBatches > batchNumber && slot.BatchNumber == batchNumber && slot.Remaining == 0)
                    break;
                Monitor.Wait(_gate);
            }

            _takenBatches = batchNumber + 1;
            Monitor.PulseAll(_gate);
        }

        return Deliver(slot);
    }

    /// <summary>Wakes every waiter so that it re-checks cancellation and stopping.</summary>
    public void Wake()
    {
        lock (_gate)
            Monitor.PulseAll(_gate);
    }

    /// <summary>
    /// Stops the workers: none starts another sample. With <paramref name="wait"/> it also waits for the samples in
    /// progress to end. Safe to call more than once.
    /// </summary>
    public void Stop(bool wait)
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }

        if (!wait)
            return;
        foreach (var thread in _threads)
        {
            if (thread is not null && thread != Thread.CurrentThread && thread.IsAlive)
                thread.Join();
        }
    }

    public LoaderEpochReport Report(bool completed)
    {
        lock (_gate)
        {
            return new LoaderEpochReport(Epoch, completed, _deliveredBatches, _deliveredSamples, _skippedCount,
                _firstSkipped.ToArray(), _peakInFlight);
        }
    }

    private void WorkerLoop()
    {
        try
        {
            while (true)
            {
                int position;
                BatchSlot slot;
                lock (_gate)
                {
                    while (true)
                    {
                        if (_stopping || _nextPosition >= _sampleCount)
                            return;
                        if (_nextPosition / _batchSize < _takenBatches + _window)
                            break;
                        Monitor.Wait(_gate);
                    }

                    position = _nextPosition++;
                    int batchNumber = position / _batchSize;
                    slot = _slots[batchNumber % (_window + 1)];
                    if (position % _batchSize == 0)
                    {
                        slot.Reset(batchNumber, Math.Min(_batchSize, _sampleCount - position));
                        _startedBatches = batchNumber + 1;
                        _peakInFlight = Math.Max(_peakInFlight, _startedBatches - _takenBatches);
                    }
                }

                _options.SampleStarting?.Invoke(position);
                Exception? failure = LoadSample(position, slot.Batch);
                lock (_gate)
                {
                    slot.Failures[position % _batchSize] = failure;
                    if (--slot.Remaining == 0)
                        Monitor.PulseAll(_gate);
                }
            }
        }
        catch (Exception e)
        {
            lock (_gate)
            {
                _workerFault ??= e;
                Monitor.PulseAll(_gate);
            }
        }
    }

    private Exception? LoadSample(int position, ImageBatch batch)
    {
        int row = position % _batchSize;
        int sampleIndex = _indices[position];
        try
        {
            var sample = _dataset.Samples[sampleIndex];
            var image = ImageDecoder.Decode(sample.ImagePath);
            _pipeline.Process(image, SampleRandom.For(_options.Seed, Epoch, sampleIndex), batch.PixelRow(row));
            _dataset.WriteTargets(sampleIndex, batch.TargetRow(row));
            batch.SetSampleIndex(row, sampleIndex);
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Reported on the consumer's thread, in reading order, so the error names the first bad sample
            // whatever the thread count.
            return e;
        }
    }

    private ImageBatch? Deliver(BatchSlot slot)
    {
        var batch = slot.Batch;
        int kept = 0;
        for (int row = 0; row < slot.Rows; row++)
        {
            Exception? failure = slot.Failures[row];
            if (failure is null)
            {
                if (kept != row)
                    batch.MoveRow(row, kept);
                kept++;
                continue;
            }

            int sampleIndex = _indices[slot.BatchNumber * _batchSize + row];
            var sample = _dataset.Samples[sampleIndex];
            if (_options.BadSamplePolicy != BadSamplePolicy.Skip || failure is not ImageDecodeException)
                throw new SampleLoadException(sampleIndex, sample.ImagePath, sample.Record, failure);
            lock (_gate)
            {
                _skippedCount++;
                if (_firstSkipped.Count < _options.ReportedSkipLimit)
                    _firstSkipped.Add(new SkippedSample(sampleIndex, sample.ImagePath, sample.Record, failure.Message));
            }
        }

        batch.Count = kept;
        batch.BatchNumber = slot.BatchNumber;
        if (kept == 0)
            return null;
        lock (_gate)
        {
            _deliveredBatches++;
            _deliveredSamples += kept;
        }

        return batch;
    }
}
