namespace Asl.Distributed.Training.Collectives;

/// <summary>Settings of a <see cref="RingAllReduce"/>, validated when it is built.</summary>
public sealed record RingAllReduceOptions
{
    /// <summary>The default <see cref="ChunkLength"/>: 256 Ki floats (1 MiB), a message size gRPC handles well.</summary>
    public const int DefaultChunkLength = 256 * 1024;

    /// <summary>
    /// Floats per message. A ring step sends its segment in chunks of this length so that the transfer of one chunk
    /// overlaps the addition of the previous one.
    /// </summary>
    public int ChunkLength { get; init; } = DefaultChunkLength;

    /// <summary>How values travel: float32, or bfloat16/float16 to halve the traffic (sums still accumulate in float32).</summary>
    public WireFormat Format { get; init; } = WireFormat.Float32;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid field and its allowed values.</summary>
    public void Validate()
    {
        if (ChunkLength < 1)
            throw new ArgumentException($"{nameof(ChunkLength)} must be ≥ 1 (got {ChunkLength}).");
    }
}
