namespace Asl.Distributed.Training.Collectives;

/// <summary>
/// One rank's connections in a ring: it sends to its right neighbour (rank + 1) and receives from its left
/// neighbour (rank − 1). Messages on one direction arrive in the order they were sent. A caller keeps at most one
/// send and one receive in flight at a time, but the two may run concurrently, so an implementation needs no
/// locking between calls of the same kind. Failures surface as exceptions from either method; a transport that
/// can detect a dead or silent peer throws (a <see cref="CollectiveException"/> naming the rank) rather than wait.
/// </summary>
public interface IRingLink
{
    /// <summary>
    /// Sends <paramref name="chunk"/> to the right neighbour, encoded as <paramref name="format"/>. The caller may
    /// overwrite the memory once the returned task completes. <paramref name="tag"/> names the collective and its
    /// step, so the receiver can detect a message out of order.
    /// </summary>
    ValueTask SendAsync(ReadOnlyMemory<float> chunk, long tag, WireFormat format, CancellationToken ct);

    /// <summary>
    /// Receives the next message from the left neighbour into <paramref name="destination"/>, whose length is the
    /// exact message length, combining it as <paramref name="accumulation"/> says (overwrite, add in float32, or add
    /// and divide). Throws when the message's tag, format or length differs from what the caller expects.
    /// </summary>
    ValueTask ReceiveAsync(Memory<float> destination, long tag, WireFormat format, Accumulation accumulation, CancellationToken ct);
}
