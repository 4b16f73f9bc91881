namespace Asl.Distributed.Training.Collectives;

/// <summary>
/// Broadcast over a ring: the root sends its buffer to its right neighbour chunk by chunk, and every other rank
/// receives each chunk in place and forwards it while the next one arrives, so the whole ring is one pipeline.
/// Values travel as float32 and arrive bitwise equal.
/// </summary>
internal static class RingBroadcast
{
    public static async Task RunAsync(IRingLink link, int rank, int worldSize, int root, Memory<float> buffer, int chunkLength, long tag, CancellationToken ct)
    {
        if (worldSize == 1 || buffer.IsEmpty)
            return;
        bool receives = rank != root;
        bool forwards = (rank + 1) % worldSize != root;
        ValueTask sending = default;
        for (int offset = 0; offset < buffer.Length; offset += chunkLength)
        {
            var chunk = buffer.Slice(offset, Math.Min(chunkLength, buffer.Length - offset));
            if (receives)
                await link.ReceiveAsync(chunk, tag, WireFormat.Float32, Accumulation.Overwrite, ct).ConfigureAwait(false);
            if (forwards)
            {
                await sending.ConfigureAwait(false);
                sending = link.SendAsync(chunk, tag, WireFormat.Float32, ct);
            }
        }
        await sending.ConfigureAwait(false);
    }
}
