namespace Asl.Distributed.Training.Collectives;

/// <summary>
/// All-gather over a ring: every rank's block (its own length) lands at its place in every rank's result. In step s
/// a rank forwards the block it received in step s − 1 (its own in step 0) while receiving the next one, so each
/// block travels n − 1 hops and each rank sends and receives (n − 1) blocks. Values travel as float32, bit for bit.
/// </summary>
internal static class RingAllGather
{
    /// <summary>
    /// Fills <paramref name="result"/>: block r at <paramref name="offsets"/>[r] with length <paramref name="lengths"/>[r];
    /// this rank's block must already be in place.
    /// </summary>
    public static async Task RunAsync(IRingLink link, int rank, int worldSize, Memory<float> result, int[] offsets, int[] lengths,
        int chunkLength, long tagBase, CancellationToken ct)
    {
        for (int step = 0; step < worldSize - 1; step++)
        {
            int sent = Wrap(rank - step, worldSize);
            int received = Wrap(rank - step - 1, worldSize);
            var sending = SendBlockAsync(link, result.Slice(offsets[sent], lengths[sent]), chunkLength, tagBase + step, ct);
            var receiving = ReceiveBlockAsync(link, result.Slice(offsets[received], lengths[received]), chunkLength, tagBase + step, ct);
            await Task.WhenAll(sending, receiving).ConfigureAwait(false);
        }
    }

    private static async Task SendBlockAsync(IRingLink link, ReadOnlyMemory<float> block, int chunkLength, long tag, CancellationToken ct)
    {
        for (int offset = 0; offset < block.Length; offset += chunkLength)
            await link.SendAsync(block.Slice(offset, Math.Min(chunkLength, block.Length - offset)), tag, WireFormat.Float32, ct).ConfigureAwait(false);
    }

    private static async Task ReceiveBlockAsync(IRingLink link, Memory<float> block, int chunkLength, long tag, CancellationToken ct)
    {
        for (int offset = 0; offset < block.Length; offset += chunkLength)
            await link.ReceiveAsync(block.Slice(offset, Math.Min(chunkLength, block.Length - offset)), tag, WireFormat.Float32, Accumulation.Overwrite, ct).ConfigureAwait(false);
    }

    private static int Wrap(int index, int worldSize) => ((index % worldSize) + worldSize) % worldSize;
}
