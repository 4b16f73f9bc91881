using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;

namespace Asl.Distributed.Training.Collectives;

/// <summary>
/// The receiving end of one rank's gRPC ring link: chunks its left neighbour streams in wait here (a bounded queue,
/// so a fast sender cannot grow memory without limit) until the rank's all-reduce reads them.
/// </summary>
public sealed class RingInbox
{
    private readonly Channel<(int Tag, ByteString Data)> _chunks;

    public RingInbox(int rank, int leftRank, string secret, int maxChunkFloats, int capacity = 4)
    {
        Rank = rank;
        LeftRank = leftRank;
        Secret = secret;
        MaxChunkFloats = maxChunkFloats;
        _chunks = Channel.CreateBounded<(int, ByteString)>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
    }

    public int Rank { get; }

    public int LeftRank { get; }

    internal string Secret { get; }

    public int MaxChunkFloats { get; }

    /// <summary>Queues one received chunk, waiting while the queue is full.</summary>
    internal ValueTask PostAsync(int tag, ByteString data, CancellationToken ct) => _chunks.Writer.WriteAsync((tag, data), ct);

    /// <summary>Ends the inbox with an error that every later receive rethrows (a broken or malformed stream).</summary>
    internal void Fail(Exception error) => _chunks.Writer.TryComplete(error);

    /// <summary>Takes the next chunk into <paramref name="destination"/>; checks its step and length.</summary>
    internal async ValueTask ReceiveAsync(Memory<float> destination, int tag, CancellationToken ct)
    {
        (int Tag, ByteString Data) chunk;
        try
        {
            chunk = await _chunks.Reader.ReadAsync(ct).ConfigureAwait(false);
        }
        catch (ChannelClosedException e) when (e.InnerException is RpcException rpc)
        {
            throw new RpcException(rpc.Status, $"rank {Rank}: the ring is broken: {rpc.Status.Detail}");
        }
        catch (ChannelClosedException e) when (e.InnerException is not null)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"rank {Rank}: the ring is broken: {e.InnerException.Message}"));
        }
        if (chunk.Tag != tag || chunk.Data.Length != destination.Length * sizeof(float))
            throw new InvalidOperationException($"rank {Rank} expected step {tag} with {destination.Length} floats from rank {LeftRank} " +
                $"but received step {chunk.Tag} with {chunk.Data.Length / sizeof(float)} floats");
        // The message's bytes are immutable and owned by the received message: one copy, straight into place.
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(chunk.Data.Span).CopyTo(destination.Span);
    }
}
