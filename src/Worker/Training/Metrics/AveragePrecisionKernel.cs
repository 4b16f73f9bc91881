namespace Asl.Distributed.Training.Metrics;

/// <summary>
/// Per-class non-interpolated average precision, with scikit-learn's tie handling: AP = Σ over distinct thresholds
/// s of (R(s) − R(s⁺)) · P(s), where P(s) and R(s) count every sample scoring <c>&gt;= s</c>; only thresholds that
/// hold a positive contribute. Classes go in the chunks' 16-class blocks. A class with few positives (most of Open
/// Images) is done by <see cref="SparseClassBlock"/>, one with many by <see cref="DenseClassRanker"/>. Both are
/// O(N) per class (at most 64 thresholds; a fixed number of radix passes), and each worker reuses its scratch.
/// </summary>
internal static class AveragePrecisionKernel
{
    /// <summary>AP of every class as a fraction in [0, 1]; NaN for a class without positives.</summary>
    public static double[] Compute(IReadOnlyList<ScoreChunk> chunks, int sampleCount, int classCount)
    {
        var ap = new double[classCount];
        int blocks = (classCount + ScoreChunk.BlockWidth - 1) / ScoreChunk.BlockWidth;
        int workers = Math.Min(blocks, Environment.ProcessorCount);
        int nextBlock = -1;
        // Long-lived workers that pull blocks, each with one scratch for its whole life. Parallel.For's
        // thread-local state would not do: it re-runs its initializer whenever it recycles a task, which at
        // Open Images size means allocating megabytes many times per call.
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, _ =>
        {
            var sparse = new SparseClassBlock();
            var dense = new DenseClassRanker(sampleCount);
            for (int block = Interlocked.Increment(ref nextBlock); block < blocks; block = Interlocked.Increment(ref nextBlock))
            {
                int firstClass = block * ScoreChunk.BlockWidth;
                int width = Math.Min(ScoreChunk.BlockWidth, classCount - firstClass);
                sparse.Scan(chunks, block);
                for (int j = 0; j < width; j++)
                {
                    int positives = sparse.PositiveCount(j);
                    ap[firstClass + j] = positives == 0 ? double.NaN
                        : positives <= SparseClassBlock.MaxPositives ? sparse.AveragePrecision(j)
                        : dense.AveragePrecision(chunks, block, j, positives, sparse.LowestPositive(j));
                }
            }
        });
        return ap;
    }
}
