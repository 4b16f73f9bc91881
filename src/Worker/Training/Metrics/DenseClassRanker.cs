using System.Runtime.CompilerServices;

namespace Asl.Distributed.Training.Metrics;

/// <summary>
/// AP of a class with many positives: its samples that can matter are packed as (descending score key, label),
/// radix sorted, and walked in groups of equal scores. One instance is a worker's reusable scratch (16 bytes per
/// sample).
/// </summary>
internal sealed class DenseClassRanker(int sampleCount)
{
    private readonly ulong[] _items = GC.AllocateUninitializedArray<ulong>(sampleCount);
    private readonly ulong[] _buffer = GC.AllocateUninitializedArray<ulong>(sampleCount);
    private readonly int[] _digitCounts = new int[ScoreRadixSort.DigitCountsLength];

    /// <summary>AP (a fraction) of lane j of a block, given its positive count and lowest positive score.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double AveragePrecision(IReadOnlyList<ScoreChunk> chunks, int block, int j, int positives, float lowestPositive)
    {
        // A negative scoring below every positive changes no precision, so it stays out of the sort. The compaction
        // is branch-free because labels are exactly 0 or 1 and random to the branch predictor.
        int count = 0;
        foreach (var chunk in chunks)
        {
            var scores = chunk.ScoreRun(block, 0, chunk.Rows);
            var targets = chunk.TargetRun(block, 0, chunk.Rows);
            for (int i = j; i < scores.Length; i += ScoreChunk.BlockWidth)
            {
                float score = scores[i];
                int label = targets[i];
                _items[count] = ((ulong)ScoreRadixSort.DescendingKey(score) << 32) | (uint)label;
                count += label | (score >= lowestPositive ? 1 : 0);
            }
        }

        var ranked = ScoreRadixSort.SortByHighWord(_items.AsSpan(0, count), _buffer.AsSpan(0, count), _digitCounts);

        long truePositives = 0;
        long seen = 0;
        int groupPositives = 0;
        double sum = 0;
        for (int i = 0; i < ranked.Length; i++)
        {
            ulong item = ranked[i];
            int label = (int)(item & 1);
            truePositives += label;
            groupPositives += label;
            seen++;
            // A group of equal scores is one threshold: its precision is taken after all of the group is counted.
            if (i + 1 == ranked.Length || (ranked[i + 1] >> 32) != (item >> 32))
            {
                sum += groupPositives * ((double)truePositives / seen);
                groupPositives = 0;
            }
        }

        return sum / positives;
    }
}
