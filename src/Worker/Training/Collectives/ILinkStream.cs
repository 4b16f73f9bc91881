namespace Asl.Distributed.Training.Collectives;

/// <summary>
/// One of a ring link's streams as its sender sees it (<see cref="GrpcLinkStream"/> or <see cref="SocketLinkStream"/>).
/// A stream that breaks reports it once through the callback it was opened with.
/// </summary>
internal interface ILinkStream : IAsyncDisposable
{
    /// <summary>Sends one chunk as message <paramref name="sequence"/>; the caller may overwrite the chunk once this completes.</summary>
    ValueTask SendAsync(ReadOnlyMemory<float> chunk, long sequence, long tag, WireFormat format, CancellationToken ct);

    /// <summary>
    /// Says the sender is alive, as soon as the write in progress (if any) is done; where a heartbeat already waits, or
    /// chunks are queued, it adds nothing and is dropped.
    /// </summary>
    void TrySendHeartbeat();

    /// <summary>Refuses further sends with <paramref name="error"/> (the link failed).</summary>
    void Stop(CollectiveException error);

    /// <summary>Ends the stream at the end of the job, delivering what was sent, within <paramref name="grace"/>.</summary>
    Task CloseAsync(CancellationToken grace);
}

/// <summary>The right neighbour ended a data stream because it knows of a failure, naming the lost rank.</summary>
internal sealed class RingAbortedException(int lostRank, string reason) : Exception(reason)
{
    public int LostRank { get; } = lostRank;

    public string Reason { get; } = reason;
}
