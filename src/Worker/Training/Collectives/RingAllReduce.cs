namespace Asl.Distributed.Training.Collectives;

/// <summary>
/// All-reduce of a float32 buffer over a ring of <see cref="WorldSize"/> ranks with PyTorch/NCCL ring semantics:
/// the buffer is split into n segments as evenly as possible, n − 1 reduce-scatter steps leave each rank with one
/// fully summed segment, and n − 1 all-gather steps copy those segments to every rank. Each rank sends and
/// receives 2(n − 1)/n of the buffer. Every rank must call the same method with a buffer of the same length.
/// </summary>
/// <remarks>
/// Sums accumulate in float32. The order is fixed by the ring: segment j is summed as
/// ((x_j + x_{j+1}) + x_{j+2}) + … over ranks j, j + 1, … modulo n, so results are deterministic for a given ring,
/// and every rank ends with bitwise identical values because each finished segment is computed once and copied.
/// Steps are pipelined per chunk: a chunk is forwarded to the right neighbour as soon as it has been received and
/// added, while later chunks are still arriving.
/// </remarks>
public sealed class RingAllReduce
{
    private readonly IRingLink _link;
    private readonly int _chunkLength;
    private readonly WireFormat _format;

    /// <summary>Builds the all-reduce of rank <paramref name="rank"/> in a ring of <paramref name="worldSize"/>.</summary>
    public RingAllReduce(IRingLink link, int rank, int worldSize, RingAllReduceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(link);
        ArgumentOutOfRangeException.ThrowIfLessThan(worldSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, worldSize);
        options ??= new RingAllReduceOptions();
        options.Validate();
        _link = link;
        _chunkLength = options.ChunkLength;
        _format = options.Format;
        Rank = rank;
        WorldSize = worldSize;
    }

    /// <summary>This rank's position in the ring.</summary>
    public int Rank { get; }

    /// <summary>Number of ranks in the ring.</summary>
    public int WorldSize { get; }

    /// <summary>
    /// Replaces <paramref name="buffer"/> on every rank with the element-wise sum over all ranks.
    /// <paramref name="collective"/> numbers the collective within the job (every rank passes the same number), so a
    /// chunk of another collective is caught rather than added. With a compressed <see cref="RingAllReduceOptions.Format"/>
    /// each finished segment is rounded to that format once, by its owner, before it is shared, so every rank still
    /// ends bitwise identical.
    /// </summary>
    public Task SumAsync(Memory<float> buffer, CancellationToken ct = default, long collective = 0) =>
        ReduceAsync(buffer, divisor: 1, ct, collective);

    /// <summary>
    /// Replaces <paramref name="buffer"/> on every rank with the element-wise mean over all ranks: each segment's owner
    /// divides its finished sum by n, chunk by chunk while the chunk is still in cache, before it is shared, so the
    /// mean is the correctly rounded sum / n (with a compressed format, that quotient rounded to the format once).
    /// </summary>
    public Task AverageAsync(Memory<float> buffer, CancellationToken ct = default, long collective = 0) =>
        ReduceAsync(buffer, divisor: WorldSize, ct, collective);

    private async Task ReduceAsync(Memory<float> buffer, int divisor, CancellationToken ct, long collective)
    {
        ct.ThrowIfCancellationRequested();
        if (WorldSize == 1 || buffer.IsEmpty)
            return;

        // One failing half must stop the other: a sender waiting for a chunk that will never be added would hang.
        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var forwardable = new SemaphoreSlim(0);
        long tagBase = collective << 16;
        var sending = RunOrCancelAsync(SendLoopAsync(buffer, tagBase, forwardable, failFast.Token), failFast);
        var receiving = RunOrCancelAsync(ReceiveLoopAsync(buffer, tagBase, divisor, forwardable, failFast.Token), failFast);
        await Task.WhenAll(sending, receiving).ConfigureAwait(false);
    }

    /// <summary>Start and length of segment <paramref name="index"/>: the first length mod n segments get one extra element.</summary>
    internal static (int Start, int Length) Segment(int bufferLength, int worldSize, int index)
    {
        var quotient = bufferLength / worldSize;
        var remainder = bufferLength % worldSize;
        var start = index * quotient + Math.Min(index, remainder);
        return (start, quotient + (index < remainder ? 1 : 0));
    }

    /// <summary>Segment sent at global step <paramref name="step"/> (0 … 2n − 3; the first n − 1 are reduce-scatter).</summary>
    internal int SendSegmentIndex(int step) =>
        step < WorldSize - 1 ? Wrap(Rank - step) : Wrap(Rank + 1 - (step - (WorldSize - 1)));

    /// <summary>Segment received at global step <paramref name="step"/>; it is the one sent at the next step.</summary>
    internal int ReceiveSegmentIndex(int step) =>
        step < WorldSize - 1 ? Wrap(Rank - step - 1) : Wrap(Rank - (step - (WorldSize - 1)));

    private int StepCount => 2 * (WorldSize - 1);

    private int Wrap(int index) => ((index % WorldSize) + WorldSize) % WorldSize;

    private static async Task RunOrCancelAsync(Task loop, CancellationTokenSource failFast)
    {
        try
        {
            await loop.ConfigureAwait(false);
        }
        catch
        {
            await failFast.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task SendLoopAsync(Memory<float> buffer, long tagBase, SemaphoreSlim forwardable, CancellationToken ct)
    {
        for (var step = 0; step < StepCount; step++)
        {
            var (start, length) = Segment(buffer.Length, WorldSize, SendSegmentIndex(step));
            for (var offset = 0; offset < length; offset += _chunkLength)
            {
                // After step 0 every segment sent is the one received a step earlier: wait until this chunk of it is final.
                if (step > 0)
                    await forwardable.WaitAsync(ct).ConfigureAwait(false);
                var chunk = buffer.Slice(start + offset, Math.Min(_chunkLength, length - offset));
                await _link.SendAsync(chunk, tagBase + step, _format, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task ReceiveLoopAsync(Memory<float> buffer, long tagBase, int divisor, SemaphoreSlim forwardable, CancellationToken ct)
    {
        for (var step = 0; step < StepCount; step++)
        {
            var segment = Segment(buffer.Length, WorldSize, ReceiveSegmentIndex(step));
            var target = buffer.Slice(segment.Start, segment.Length);
            bool owned = step == WorldSize - 2; // the last reduce step leaves this rank's own segment fully summed
            var accumulation = step >= WorldSize - 1 ? Accumulation.Overwrite
                : owned && divisor > 1 ? Accumulation.AddThenDivide(divisor)
                : Accumulation.Add;
            for (var offset = 0; offset < target.Length; offset += _chunkLength)
            {
                // The link adds straight from its received bytes into the buffer: no scratch copy. Later chunks keep
                // arriving in the link's queue meanwhile, so receiving and adding overlap. The owner of a mean's
                // segment divides in the same pass, while the chunk is in cache.
                var chunk = target.Slice(offset, Math.Min(_chunkLength, target.Length - offset));
                await _link.ReceiveAsync(chunk, tagBase + step, _format, accumulation, ct).ConfigureAwait(false);
                if (owned && _format != WireFormat.Float32)
                    WireCodec.Round(chunk.Span, _format);
                if (step < StepCount - 1)
                    forwardable.Release();
            }
        }
    }

}
