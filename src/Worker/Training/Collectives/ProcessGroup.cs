using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Asl.Distributed.Training.Collectives;

/// <summary>
/// The ranks of one job and their collectives, over one ring link: all-reduce (sum or average, float32 or compressed
/// on the wire), broadcast from rank 0, all-gather of variable-size blocks, and barrier. Every rank must call the
/// same collectives in the same order, one at a time; each call gets the next collective number, so a rank that
/// drifts out of step fails with a clear error instead of mixing data. A world of size 1 has no link and every
/// collective returns at once.
/// </summary>
public sealed class ProcessGroup : IAsyncDisposable
{
    private readonly IRingLink? _link;
    private readonly RingAllReduce? _reduce;
    private readonly int _chunkLength;
    private readonly Func<ValueTask>? _dispose;
    private long _collective;
    private long _reduceTicks;
    private long _reducedBytes;

    /// <summary>Wraps <paramref name="link"/>; <paramref name="dispose"/> releases the transport behind it.</summary>
    public ProcessGroup(IRingLink? link, int rank, int worldSize, int chunkLength, WireFormat gradientFormat = WireFormat.Float32, Func<ValueTask>? dispose = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(worldSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, worldSize);
        if (worldSize > 1 && link is null)
            throw new ArgumentException($"a world of {worldSize} ranks needs a link", nameof(link));
        Rank = rank;
        WorldSize = worldSize;
        GradientFormat = gradientFormat;
        _link = link;
        _chunkLength = chunkLength;
        _dispose = dispose;
        if (link is not null)
            _reduce = new RingAllReduce(link, rank, worldSize, new RingAllReduceOptions { ChunkLength = chunkLength, Format = gradientFormat });
    }

    /// <summary>The link the collectives run over (null in a world of one).</summary>
    internal IRingLink? Link => _link;

    /// <summary>A world of one: every collective is free.</summary>
    public static ProcessGroup Single() => new(null, 0, 1, RingAllReduceOptions.DefaultChunkLength);

    public int Rank { get; }

    public int WorldSize { get; }

    /// <summary>Whether this rank is rank 0, the one that writes checkpoints and run files.</summary>
    public bool IsRoot => Rank == 0;

    /// <summary>The wire format of <see cref="AllReduceGradientsAsync"/>.</summary>
    public WireFormat GradientFormat { get; }

    /// <summary>Time spent inside gradient all-reduces so far.</summary>
    public TimeSpan AllReduceTime => TimeSpan.FromTicks(Interlocked.Read(ref _reduceTicks));

    /// <summary>Bytes of gradient buffers all-reduced so far (the buffer size, as nccl-tests counts it).</summary>
    public long AllReducedBytes => Interlocked.Read(ref _reducedBytes);

    /// <summary>Element-wise sum over the ranks, in float32 on the wire.</summary>
    public Task SumAsync(Memory<float> buffer, CancellationToken ct = default) =>
        WorldSize == 1 ? Task.CompletedTask : ReduceAsync(buffer, WireFormat.Float32, average: false, ct);

    /// <summary>Element-wise mean over the ranks (sum / n), in float32 on the wire.</summary>
    public Task AverageAsync(Memory<float> buffer, CancellationToken ct = default) =>
        WorldSize == 1 ? Task.CompletedTask : ReduceAsync(buffer, WireFormat.Float32, average: true, ct);

    /// <summary>
    /// Sum (or mean) of a gradient bucket in <see cref="GradientFormat"/>, timed for <see cref="AllReduceTime"/>.
    /// </summary>
    public async Task AllReduceGradientsAsync(Memory<float> buffer, bool average, CancellationToken ct = default)
    {
        if (WorldSize == 1)
            return;
        long start = Stopwatch.GetTimestamp();
        await ReduceAsync(buffer, GradientFormat, average, ct).ConfigureAwait(false);
        Interlocked.Add(ref _reduceTicks, Stopwatch.GetElapsedTime(start).Ticks);
        Interlocked.Add(ref _reducedBytes, (long)buffer.Length * sizeof(float));
    }

    /// <summary>Sums float64 values exactly as rank order gives them: gathered bit for bit, then added 0, 1, …, n − 1 on every rank.</summary>
    public async Task<double[]> SumDoublesAsync(double[] values, CancellationToken ct = default)
    {
        if (WorldSize == 1)
            return (double[])values.Clone();
        var gathered = await AllGatherAsync(MemoryMarshal.Cast<double, float>(values.AsSpan()).ToArray(), ct).ConfigureAwait(false);
        var all = MemoryMarshal.Cast<float, double>(gathered.Values.AsSpan());
        var sums = new double[values.Length];
        for (int r = 0; r < WorldSize; r++)
        {
            for (int i = 0; i < values.Length; i++)
                sums[i] += all[r * values.Length + i];
        }
        return sums;
    }

    /// <summary>Copies rank 0's <paramref name="buffer"/> to every rank, bit for bit.</summary>
    public Task BroadcastAsync(Memory<float> buffer, CancellationToken ct = default)
    {
        if (WorldSize == 1)
            return Task.CompletedTask;
        long tag = NextCollective() << 16;
        return RingBroadcast.RunAsync(_link!, Rank, WorldSize, 0, buffer, _chunkLength, tag, ct);
    }

    /// <summary>
    /// Every rank's block, concatenated in rank order, on every rank; blocks may differ in length (zero included).
    /// </summary>
    public async Task<GatheredBlocks> AllGatherAsync(ReadOnlyMemory<float> local, CancellationToken ct = default)
    {
        if (WorldSize == 1)
            return new GatheredBlocks(local.ToArray(), [local.Length]);
        // First the lengths (one float's bits each), then the blocks at their offsets.
        var lengthBits = new float[WorldSize];
        lengthBits[Rank] = BitConverter.Int32BitsToSingle(local.Length);
        var ones = Enumerable.Repeat(1, WorldSize).ToArray();
        await RingAllGather.RunAsync(_link!, Rank, WorldSize, lengthBits, Enumerable.Range(0, WorldSize).ToArray(), ones, _chunkLength,
            NextCollective() << 16, ct).ConfigureAwait(false);
        var lengths = lengthBits.Select(BitConverter.SingleToInt32Bits).ToArray();
        var offsets = new int[WorldSize];
        long total = 0;
        for (int r = 0; r < WorldSize; r++)
        {
            if (lengths[r] < 0)
                throw new CollectiveException(Rank, r, $"rank {r} announced a block of {lengths[r]} values; allowed: ≥ 0");
            offsets[r] = (int)total;
            total += lengths[r];
        }
        if (total > Array.MaxLength)
            throw new CollectiveException(Rank, -1, $"the gathered blocks hold {total} values; allowed: at most {Array.MaxLength}");
        var values = new float[total];
        local.CopyTo(values.AsMemory(offsets[Rank]));
        await RingAllGather.RunAsync(_link!, Rank, WorldSize, values, offsets, lengths, _chunkLength, NextCollective() << 16, ct).ConfigureAwait(false);
        return new GatheredBlocks(values, lengths);
    }

    /// <summary>Returns once every rank has called it.</summary>
    public Task BarrierAsync(CancellationToken ct = default) => SumAsync(new float[1], ct);

    public async ValueTask DisposeAsync()
    {
        if (_dispose is not null)
            await _dispose().ConfigureAwait(false);
    }

    private Task ReduceAsync(Memory<float> buffer, WireFormat format, bool average, CancellationToken ct)
    {
        long collective = NextCollective();
        var reduce = format == GradientFormat ? _reduce! : new RingAllReduce(_link!, Rank, WorldSize, new RingAllReduceOptions { ChunkLength = _chunkLength, Format = format });
        return average ? reduce.AverageAsync(buffer, ct, collective) : reduce.SumAsync(buffer, ct, collective);
    }

    private long NextCollective() => _collective++;
}

/// <summary>The result of an all-gather: the blocks concatenated in rank order and each block's length.</summary>
public sealed record GatheredBlocks(float[] Values, int[] Lengths);
