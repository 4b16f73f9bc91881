using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Asl.Distributed.Training.Metrics;

/// <summary>
/// Counts per class the true positives, predicted positives and actual positives of thresholded or top-k
/// predictions. Workers take slices of rows and count into their own arrays, merged at the end; within a slice the
/// chunk's block runs are read sequentially. Positives are found with a vectorized search for non-zero targets,
/// since they are sparse.
/// </summary>
internal static class ClassificationCountKernel
{
    private const int SliceRows = 512;
    private const int Width = ScoreChunk.BlockWidth;

    /// <summary>Predicted positive iff score &gt;= threshold.</summary>
    public static MultiLabelClassificationMetrics AtThreshold(IReadOnlyList<ScoreChunk> chunks, int classCount, float threshold) =>
        Count(chunks, classCount, SliceRows, () => null, (chunk, first, count, counts, _) =>
            CountAtThreshold(chunk, first, count, counts, threshold));

    /// <summary>Each row predicts its k highest scores; among equal scores the lower class index wins.</summary>
    public static MultiLabelClassificationMetrics TopK(IReadOnlyList<ScoreChunk> chunks, int classCount, int k)
    {
        // Fewer rows per slice for a large k keeps each worker's lists small.
        int sliceRows = Math.Clamp((1 << 16) / k, 1, SliceRows);
        return Count(chunks, classCount, sliceRows, () => new TopList(sliceRows, k), (chunk, first, count, counts, top) =>
            CountTopK(chunk, first, count, counts, top!));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CountAtThreshold(ScoreChunk chunk, int first, int count, Counts counts, float threshold)
    {
        var bar = new Vector<float>(threshold);
        Span<int> predicted = stackalloc int[Width];
        for (int block = 0; block < chunk.BlockCount; block++)
        {
            int firstClass = block * Width;
            var scores = chunk.ScoreRun(block, first, count);
            // Predictions: per-lane SIMD counters over the run, then the real (not padding) lanes are kept.
            var rows = MemoryMarshal.Cast<float, Vector<float>>(scores);
            var lanes = MemoryMarshal.Cast<int, Vector<int>>(predicted);
            lanes.Clear();
            for (int i = 0; i < rows.Length; i += lanes.Length)
            {
                for (int h = 0; h < lanes.Length; h++)
                {
                    lanes[h] -= Vector.GreaterThanOrEqual(rows[i + h], bar);
                }
            }

            for (int j = 0; j < chunk.BlockClasses(block); j++)
            {
                counts.Predicted[firstClass + j] += predicted[j];
            }

            var targets = chunk.TargetRun(block, first, count);
            for (int i = targets.IndexOfAnyExcept((byte)0); i >= 0; i = NextPositive(targets, i))
            {
                int c = firstClass + i % Width;
                counts.Actual[c]++;
                counts.TruePositives[c] += scores[i] >= threshold ? 1 : 0;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CountTopK(ScoreChunk chunk, int first, int count, Counts counts, TopList top)
    {
        top.Reset(count);
        // Classes arrive in ascending order (block by block), so the list's strictly-greater rule keeps the lower
        // class index among equal scores.
        for (int block = 0; block < chunk.BlockCount; block++)
        {
            int firstClass = block * Width;
            int width = chunk.BlockClasses(block);
            var scores = chunk.ScoreRun(block, first, count);
            var rows = MemoryMarshal.Cast<float, Vector<float>>(scores);
            int vectorsPerRow = Width / Vector<float>.Count;
            for (int r = 0; r < count; r++)
            {
                // Once a row's list is full most blocks hold nothing above its weakest entry: one compare per vector.
                var weakest = new Vector<float>(top.Weakest(r));
                bool any = false;
                for (int h = 0; h < vectorsPerRow; h++)
                {
                    any |= Vector.GreaterThanAny(rows[r * vectorsPerRow + h], weakest);
                }

                if (!any)
                {
                    continue;
                }

                for (int j = 0; j < width; j++)
                {
                    top.Offer(r, scores[r * Width + j], firstClass + j);
                }
            }

            var targets = chunk.TargetRun(block, first, count);
            for (int i = targets.IndexOfAnyExcept((byte)0); i >= 0; i = NextPositive(targets, i))
            {
                counts.Actual[firstClass + i % Width]++;
            }
        }

        for (int r = 0; r < count; r++)
        {
            foreach (int c in top.Classes(r))
            {
                counts.Predicted[c]++;
                counts.TruePositives[c] += chunk.Target(first + r, c);
            }
        }
    }

    private static int NextPositive(ReadOnlySpan<byte> targets, int previous)
    {
        int next = targets[(previous + 1)..].IndexOfAnyExcept((byte)0);
        return next < 0 ? -1 : previous + 1 + next;
    }

    private delegate void SliceCounter(ScoreChunk chunk, int first, int count, Counts counts, TopList? scratch);

    private static MultiLabelClassificationMetrics Count(
        IReadOnlyList<ScoreChunk> chunks, int classCount, int sliceRows, Func<TopList?> newScratch, SliceCounter countSlice)
    {
        var slices = new List<(ScoreChunk Chunk, int First, int Count)>();
        foreach (var chunk in chunks)
        {
            for (int first = 0; first < chunk.Rows; first += sliceRows)
            {
                slices.Add((chunk, first, Math.Min(sliceRows, chunk.Rows - first)));
            }
        }

        var total = new Counts(classCount);
        int workers = Math.Max(1, Math.Min(slices.Count, Environment.ProcessorCount));
        int nextSlice = -1;
        // Long-lived workers with one set of counters each (see AveragePrecisionKernel for why not thread-locals).
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, _ =>
        {
            var counts = new Counts(classCount);
            var scratch = newScratch();
            for (int i = Interlocked.Increment(ref nextSlice); i < slices.Count; i = Interlocked.Increment(ref nextSlice))
            {
                var (chunk, first, count) = slices[i];
                countSlice(chunk, first, count, counts, scratch);
            }

            lock (total)
            {
                total.Add(counts);
            }
        });

        return MultiLabelClassificationMetrics.FromCounts(total.TruePositives, total.Predicted, total.Actual);
    }

    /// <summary>One worker's per-class counters.</summary>
    private sealed class Counts(int classCount)
    {
        public long[] TruePositives { get; } = new long[classCount];

        public long[] Predicted { get; } = new long[classCount];

        public long[] Actual { get; } = new long[classCount];

        public void Add(Counts part)
        {
            for (int c = 0; c < TruePositives.Length; c++)
            {
                TruePositives[c] += part.TruePositives[c];
                Predicted[c] += part.Predicted[c];
                Actual[c] += part.Actual[c];
            }
        }
    }
}
