namespace Asl.Distributed.Training.Metrics;

/// <summary>
/// Collects an epoch's scores and 0/1 targets for N samples × K classes, row-major, batch by batch, then computes
/// mAP (<see cref="ComputeMeanAveragePrecision"/>) and the threshold and top-k metrics
/// (<see cref="ComputeAtThreshold"/>, <see cref="ComputeTopK"/>). Each batch is validated and copied once into
/// chunks of at most 16 MiB of scores, so an Open Images epoch (100,000 × 9,605) needs neither one huge array nor a
/// copy when the accumulator grows. Memory is N × K' × 5 bytes, K' being K rounded up to a multiple of 16: targets
/// are stored as bytes, and classes in blocks of 16 so that the kernels read memory sequentially (4.5 GiB at Open
/// Images size). Not thread-safe: add from one thread, compute when adding is done.
/// </summary>
public sealed class MultiLabelScoreAccumulator
{
    // 4 Mi values (16 MiB of scores) per chunk: big enough that per-chunk overhead vanishes, small enough that the
    // unused tail of the last chunk wastes little.
    private const int MaxChunkValues = 1 << 22;
    private const int MinChunkRows = 256;

    private readonly List<ScoreChunk> _chunks = [];
    private readonly int _expectedSampleCount;
    private int _fillIndex;

    /// <summary>Creates an empty accumulator for <paramref name="classCount"/> classes.</summary>
    /// <param name="classCount">K, the number of classes (row length).</param>
    /// <param name="expectedSampleCount">
    /// Optional hint of the epoch's N; lets the first chunk be sized to fit, with no effect on results.
    /// </param>
    public MultiLabelScoreAccumulator(int classCount, int expectedSampleCount = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedSampleCount);
        ClassCount = classCount;
        _expectedSampleCount = expectedSampleCount;
    }

    /// <summary>K, the number of classes per sample.</summary>
    public int ClassCount { get; }

    /// <summary>N, the number of samples added since creation or the last <see cref="Clear"/>.</summary>
    public int SampleCount { get; private set; }

    /// <summary>
    /// A copy of the given matrices in a new accumulator, for callers that already hold a whole epoch.
    /// </summary>
    public static MultiLabelScoreAccumulator FromMatrix(ReadOnlySpan<float> scores, ReadOnlySpan<float> targets, int classCount)
    {
        var accumulator = new MultiLabelScoreAccumulator(classCount, scores.Length / Math.Max(classCount, 1));
        accumulator.Add(scores, targets);
        return accumulator;
    }

    /// <summary>
    /// Appends a batch of B samples: <paramref name="scores"/> and <paramref name="targets"/> both hold B·K values,
    /// row-major. Scores may be logits or probabilities (mAP only ranks them) but must be finite; targets must be
    /// exactly 0 or 1. On an <see cref="ArgumentException"/> nothing of the batch is kept.
    /// </summary>
    public void Add(ReadOnlySpan<float> scores, ReadOnlySpan<float> targets)
    {
        int rows = MultiLabelInputValidator.RowCount(scores.Length, targets.Length, ClassCount, nameof(scores));
        MultiLabelInputValidator.CheckFinite(scores, ClassCount, SampleCount, nameof(scores));
        MultiLabelInputValidator.CheckBinary(targets, ClassCount, SampleCount);
        Append(scores, targets, rows);
    }

    /// <summary>Appends a batch whose targets are already 0/1 bytes; otherwise as the float overload.</summary>
    public void Add(ReadOnlySpan<float> scores, ReadOnlySpan<byte> targets)
    {
        int rows = MultiLabelInputValidator.RowCount(scores.Length, targets.Length, ClassCount, nameof(scores));
        MultiLabelInputValidator.CheckFinite(scores, ClassCount, SampleCount, nameof(scores));
        MultiLabelInputValidator.CheckBinary(targets, ClassCount, SampleCount);
        Append(scores, targets, rows);
    }

    /// <summary>
    /// Forgets all samples but keeps the buffers, so the next epoch of the same size allocates nothing; drop the
    /// accumulator to free them.
    /// </summary>
    public void Clear()
    {
        foreach (var chunk in _chunks)
        {
            chunk.Rows = 0;
        }

        _fillIndex = 0;
        SampleCount = 0;
    }

    /// <summary>
    /// Mean over classes of the non-interpolated average precision, ×100, with ties handled as scikit-learn's
    /// <c>average_precision_score</c> does; see <see cref="MeanAveragePrecisionResult"/>. Cost per class is O(N):
    /// samples are counted against at most 64 distinct positive scores, or ranked by a three-pass radix sort when a
    /// class has more positives. Blocks of classes run in parallel, one worker per core.
    /// </summary>
    public MeanAveragePrecisionResult ComputeMeanAveragePrecision(NoPositiveClassPolicy policy = NoPositiveClassPolicy.Exclude)
    {
        var fractions = AveragePrecisionKernel.Compute(_chunks, SampleCount, ClassCount);
        return new MeanAveragePrecisionResult(fractions, policy);
    }

    /// <summary>
    /// CP, CR, CF1, OP, OR, OF1 and the mean per-class F1 when a class is predicted positive iff its score is
    /// <c>&gt;=</c> <paramref name="threshold"/> (compared in single precision, as NumPy compares a float32 array
    /// with a Python float). The threshold must be in the scores' space: 0.5 or the official validation script's 0.8
    /// for sigmoid outputs, 0 for logits.
    /// </summary>
    public MultiLabelClassificationMetrics ComputeAtThreshold(float threshold = 0.5f)
    {
        if (float.IsNaN(threshold))
        {
            throw new ArgumentException("The threshold is NaN.", nameof(threshold));
        }

        return ClassificationCountKernel.AtThreshold(_chunks, ClassCount, threshold);
    }

    /// <summary>
    /// The same metrics when every sample predicts exactly its <paramref name="k"/> highest-scoring classes; among
    /// equal scores the lower class index wins (as a stable descending sort would order them).
    /// </summary>
    public MultiLabelClassificationMetrics ComputeTopK(int k)
    {
        if (k < 1 || k > ClassCount)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be between 1 and the class count {ClassCount}.");
        }

        return ClassificationCountKernel.TopK(_chunks, ClassCount, k);
    }

    private void Append<TTarget>(ReadOnlySpan<float> scores, ReadOnlySpan<TTarget> targets, int rows)
        where TTarget : unmanaged
    {
        int done = 0;
        while (done < rows)
        {
            var chunk = ChunkWithRoom();
            int take = Math.Min(chunk.CapacityRows - chunk.Rows, rows - done);
            int from = done * ClassCount;
            int length = take * ClassCount;
            chunk.Append(scores.Slice(from, length), targets.Slice(from, length), take);
            done += take;
        }

        SampleCount += rows;
    }

    private ScoreChunk ChunkWithRoom()
    {
        while (_fillIndex < _chunks.Count && _chunks[_fillIndex].Rows == _chunks[_fillIndex].CapacityRows)
        {
            _fillIndex++;
        }

        if (_fillIndex < _chunks.Count)
        {
            return _chunks[_fillIndex];
        }

        // Total capacity doubles until chunks reach their maximum size; the hint skips the small steps.
        int paddedClasses = (ClassCount + ScoreChunk.BlockWidth - 1) / ScoreChunk.BlockWidth * ScoreChunk.BlockWidth;
        int maxRows = Math.Max(1, MaxChunkValues / paddedClasses);
        int wanted = Math.Max(MinChunkRows, Math.Max(SampleCount, _expectedSampleCount - SampleCount));
        var chunk = new ScoreChunk(Math.Min(maxRows, wanted), ClassCount);
        _chunks.Add(chunk);
        return chunk;
    }
}
