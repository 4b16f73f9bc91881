using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Asl.Distributed.Training.Metrics;

/// <summary>
/// Whole rows of an epoch's scores and 0/1 targets, stored by column block: classes [16b, 16b + 16) of all the
/// chunk's rows lie together ("block run"), 16 values per row, the last block padded with zeros. Reading one block
/// of a row-major Open Images matrix touches one cache line and one page per row, which measured several times
/// slower than the whole per-class computation; from block runs every kernel reads memory sequentially.
/// </summary>
internal sealed class ScoreChunk
{
    /// <summary>Classes per block: 16 floats are one 64-byte cache line and a whole number of SIMD vectors.</summary>
    public const int BlockWidth = 16;

    private const int TileRows = 64;

    public ScoreChunk(int capacityRows, int classCount)
    {
        CapacityRows = capacityRows;
        ClassCount = classCount;
        BlockCount = (classCount + BlockWidth - 1) / BlockWidth;
        // Uninitialized: every value, padding included, is written by Append before a kernel reads it.
        Scores = GC.AllocateUninitializedArray<float>(checked(BlockCount * capacityRows * BlockWidth));
        Targets = GC.AllocateUninitializedArray<byte>(checked(BlockCount * capacityRows * BlockWidth));
    }

    public float[] Scores { get; }

    public byte[] Targets { get; }

    public int CapacityRows { get; }

    public int ClassCount { get; }

    public int BlockCount { get; }

    public int Rows { get; set; }

    /// <summary>How many real (not padding) classes block b holds.</summary>
    public int BlockClasses(int block) => Math.Min(BlockWidth, ClassCount - block * BlockWidth);

    /// <summary>The scores of block b for rows [first, first + count), 16 per row.</summary>
    public ReadOnlySpan<float> ScoreRun(int block, int first, int count) =>
        Scores.AsSpan((block * CapacityRows + first) * BlockWidth, count * BlockWidth);

    /// <summary>The targets of block b for rows [first, first + count), 16 per row.</summary>
    public ReadOnlySpan<byte> TargetRun(int block, int first, int count) =>
        Targets.AsSpan((block * CapacityRows + first) * BlockWidth, count * BlockWidth);

    /// <summary>The 0/1 target of row r, class c.</summary>
    public byte Target(int row, int c) =>
        Targets[((c / BlockWidth) * CapacityRows + row) * BlockWidth + c % BlockWidth];

    /// <summary>
    /// Appends <paramref name="rowCount"/> validated row-major rows (targets are float or byte 0/1 values); the
    /// caller guarantees the room.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Append<TTarget>(ReadOnlySpan<float> scores, ReadOnlySpan<TTarget> targets, int rowCount)
        where TTarget : unmanaged
    {
        // Tiles of rows: a tile of the batch stays in cache while every block takes its slice, and each block run
        // receives one contiguous write per tile rather than one per row (a new page per write at Open Images width).
        for (int tile = 0; tile < rowCount; tile += TileRows)
        {
            int tileRows = Math.Min(TileRows, rowCount - tile);
            for (int block = 0; block < BlockCount; block++)
            {
                int width = BlockClasses(block);
                int start = (block * CapacityRows + Rows + tile) * BlockWidth;
                var scoreRun = Scores.AsSpan(start, tileRows * BlockWidth);
                var targetRun = Targets.AsSpan(start, tileRows * BlockWidth);
                if (width < BlockWidth)
                {
                    scoreRun.Clear();
                    targetRun.Clear();
                }

                for (int r = 0, source = tile * ClassCount + block * BlockWidth; r < tileRows; r++, source += ClassCount)
                {
                    scores.Slice(source, width).CopyTo(scoreRun.Slice(r * BlockWidth, width));
                    CopyTargets(targets.Slice(source, width), targetRun.Slice(r * BlockWidth, width));
                }
            }
        }

        Rows += rowCount;
    }

    private static void CopyTargets<TTarget>(ReadOnlySpan<TTarget> source, Span<byte> destination)
        where TTarget : unmanaged
    {
        if (typeof(TTarget) == typeof(byte))
        {
            MemoryMarshal.Cast<TTarget, byte>(source).CopyTo(destination);
            return;
        }

        var floats = MemoryMarshal.Cast<TTarget, float>(source);
        for (int i = 0; i < floats.Length; i++)
        {
            destination[i] = floats[i] != 0f ? (byte)1 : (byte)0;
        }
    }
}
