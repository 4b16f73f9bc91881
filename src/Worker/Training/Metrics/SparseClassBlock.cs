using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Asl.Distributed.Training.Metrics;

/// <summary>
/// AP for the classes of one 16-class block that have at most <see cref="MaxPositives"/> positives (most of Open
/// Images). Their distinct positive scores are the only thresholds that matter, so one pass over the block counts,
/// for each threshold, the samples at or above it, with SIMD compares across the 16 classes. Each class's
/// thresholds fill the last slots of its lane, largest first, so once four rows miss a slot in every lane they miss
/// all earlier, larger ones too. One instance is a worker's reusable scratch (about 17 KiB).
/// </summary>
internal sealed class SparseClassBlock
{
    /// <summary>Up to this many positives a class is counted here; above, one radix sort of the class is cheaper.</summary>
    public const int MaxPositives = 64;

    private const int Width = ScoreChunk.BlockWidth;
    private const int RowsPerStep = 4;

    private readonly int[] _positiveCounts = new int[Width];
    private readonly float[] _lowestPositive = new float[Width];
    private readonly int[] _distinctCounts = new int[Width];
    // Per lane, its first MaxPositives positive scores; after preparation, its distinct ones in descending order.
    private readonly float[] _positives = new float[Width * MaxPositives];
    private readonly int[] _tiedPositives = new int[Width * MaxPositives];
    // Slot k of lane j at [k * Width + j]: a threshold of class j, or +∞ where it has none (never reached).
    private readonly float[] _thresholds = new float[MaxPositives * Width];
    private readonly int[] _atOrAbove = new int[MaxPositives * Width];
    private int _slots;

    /// <summary>Positives of lane j in the last <see cref="Scan"/>.</summary>
    public int PositiveCount(int j) => _positiveCounts[j];

    /// <summary>The lowest positive score of lane j; +∞ without positives.</summary>
    public float LowestPositive(int j) => _lowestPositive[j];

    /// <summary>Finds the block's positives, then counts samples at or above the thresholds of its sparse classes.</summary>
    public void Scan(IReadOnlyList<ScoreChunk> chunks, int block)
    {
        CollectPositives(chunks, block);
        PrepareThresholds();
        if (_slots > 0)
        {
            foreach (var chunk in chunks)
            {
                CountAtOrAbove(chunk.ScoreRun(block, 0, chunk.Rows));
            }
        }
    }

    /// <summary>AP (a fraction) of lane j, which must have 1 to <see cref="MaxPositives"/> positives.</summary>
    public double AveragePrecision(int j)
    {
        int distinct = _distinctCounts[j];
        int firstSlot = _slots - distinct;
        long truePositives = 0;
        double sum = 0;
        for (int i = 0; i < distinct; i++)
        {
            int tied = _tiedPositives[j * MaxPositives + i];
            truePositives += tied;
            // The samples at or above a threshold include its positives, so the count is never 0.
            sum += tied * ((double)truePositives / _atOrAbove[(firstSlot + i) * Width + j]);
        }

        return sum / _positiveCounts[j];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CollectPositives(IReadOnlyList<ScoreChunk> chunks, int block)
    {
        Array.Clear(_positiveCounts);
        Array.Fill(_lowestPositive, float.PositiveInfinity);
        foreach (var chunk in chunks)
        {
            var targets = chunk.TargetRun(block, 0, chunk.Rows);
            var scores = chunk.ScoreRun(block, 0, chunk.Rows);
            // A vectorized search skips the long stretches of zeros (padding lanes are zero too).
            for (int i = targets.IndexOfAnyExcept((byte)0); i >= 0;)
            {
                int j = i % Width;
                int seen = _positiveCounts[j]++;
                if (seen < MaxPositives)
                {
                    _positives[j * MaxPositives + seen] = scores[i];
                }

                _lowestPositive[j] = Math.Min(_lowestPositive[j], scores[i]);
                int next = targets[(i + 1)..].IndexOfAnyExcept((byte)0);
                i = next < 0 ? -1 : i + 1 + next;
            }
        }
    }

    private void PrepareThresholds()
    {
        _slots = 0;
        for (int j = 0; j < Width; j++)
        {
            int count = _positiveCounts[j];
            _distinctCounts[j] = count is > 0 and <= MaxPositives ? Deduplicate(j, count) : 0;
            _slots = Math.Max(_slots, _distinctCounts[j]);
        }

        for (int j = 0; j < Width; j++)
        {
            int firstSlot = _slots - _distinctCounts[j];
            for (int k = 0; k < _slots; k++)
            {
                _thresholds[k * Width + j] = k < firstSlot ? float.PositiveInfinity : _positives[j * MaxPositives + k - firstSlot];
            }
        }

        Array.Clear(_atOrAbove, 0, _slots * Width);
    }

    /// <summary>Sorts lane j's positives descending, keeps one of each score with its multiplicity; returns how many.</summary>
    private int Deduplicate(int j, int count)
    {
        var scores = _positives.AsSpan(j * MaxPositives, count);
        var tied = _tiedPositives.AsSpan(j * MaxPositives, count);
        scores.Sort();
        scores.Reverse();
        int distinct = 0;
        tied[0] = 1;
        for (int i = 1; i < scores.Length; i++)
        {
            if (scores[i] == scores[distinct])
            {
                tied[distinct]++;
            }
            else
            {
                scores[++distinct] = scores[i];
                tied[distinct] = 1;
            }
        }

        return distinct + 1;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CountAtOrAbove(ReadOnlySpan<float> run)
    {
        int lanes = Vector<float>.Count;
        int vectorsPerRow = Width / lanes;
        var thresholds = MemoryMarshal.Cast<float, Vector<float>>(_thresholds.AsSpan(0, _slots * Width));
        var atOrAbove = MemoryMarshal.Cast<int, Vector<int>>(_atOrAbove.AsSpan(0, _slots * Width));
        var rows = MemoryMarshal.Cast<float, Vector<float>>(run);
        int rowCount = run.Length / Width;
        int stepped = rowCount - rowCount % RowsPerStep;
        int stride = vectorsPerRow;
        for (int h = 0; h < vectorsPerRow; h++)
        {
            // Four rows per step: one threshold load and one counter update serve four rows, and the early exit,
            // a branch the CPU cannot predict, is taken a quarter as often.
            for (int r = 0; r < stepped; r += RowsPerStep)
            {
                int at = r * stride + h;
                var s0 = rows[at];
                var s1 = rows[at + stride];
                var s2 = rows[at + 2 * stride];
                var s3 = rows[at + 3 * stride];
                var highest = Vector.Max(Vector.Max(s0, s1), Vector.Max(s2, s3));
                for (int k = _slots - 1; k >= 0; k--)
                {
                    var threshold = thresholds[k * vectorsPerRow + h];
                    if (Vector.LessThanAll(highest, threshold))
                    {
                        break;
                    }

                    // A reached lane is all ones, i.e. −1.
                    atOrAbove[k * vectorsPerRow + h] -= Vector.GreaterThanOrEqual(s0, threshold)
                        + Vector.GreaterThanOrEqual(s1, threshold)
                        + Vector.GreaterThanOrEqual(s2, threshold)
                        + Vector.GreaterThanOrEqual(s3, threshold);
                }
            }

            for (int r = stepped; r < rowCount; r++)
            {
                var scores = rows[r * stride + h];
                for (int k = _slots - 1; k >= 0; k--)
                {
                    var reached = Vector.GreaterThanOrEqual(scores, thresholds[k * vectorsPerRow + h]);
                    if (reached == Vector<int>.Zero)
                    {
                        break;
                    }

                    atOrAbove[k * vectorsPerRow + h] -= reached;
                }
            }
        }
    }
}
