using System.Buffers;
using System.Threading.Channels;

namespace Asl.Distributed.Training.Collectives;

/// <summary>
/// One rank's end of an <see cref="InProcessRing"/>. A send copies the chunk into a pooled array, so the caller may
/// reuse its memory as soon as the send completes; the receiver returns the array to the pool.
/// </summary>
public sealed class InProcessRingLink : IRingLink
{
    private readonly ChannelWriter<Message> _toRight;
    private readonly ChannelReader<Message> _fromLeft;
    private long _bytesSent;

    internal InProcessRingLink(int rank, ChannelWriter<Message> toRight, ChannelReader<Message> fromLeft)
    {
        Rank = rank;
        _toRight = toRight;
        _fromLeft = fromLeft;
    }

    /// <summary>The rank that owns this link.</summary>
    public int Rank { get; }

    /// <summary>Payload bytes this rank has sent so far (4 per float), for traffic checks and telemetry.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <inheritdoc />
    public async ValueTask SendAsync(ReadOnlyMemory<float> chunk, int tag, CancellationToken ct)
    {
        var data = ArrayPool<float>.Shared.Rent(chunk.Length);
        chunk.CopyTo(data);
        try
        {
            await _toRight.WriteAsync(new Message(tag, data, chunk.Length), ct).ConfigureAwait(false);
        }
        catch
        {
            ArrayPool<float>.Shared.Return(data);
            throw;
        }
        Interlocked.Add(ref _bytesSent, (long)chunk.Length * sizeof(float));
    }

    /// <inheritdoc />
    public async ValueTask ReceiveAsync(Memory<float> destination, int tag, CancellationToken ct)
    {
        var message = await _fromLeft.ReadAsync(ct).ConfigureAwait(false);
        try
        {
            if (message.Tag != tag || message.Length != destination.Length)
            {
                throw new InvalidOperationException(
                    $"Rank {Rank} expected step {tag} with {destination.Length} floats from its left neighbour " +
                    $"but received step {message.Tag} with {message.Length} floats.");
            }
            message.Data.AsSpan(0, message.Length).CopyTo(destination.Span);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(message.Data);
        }
    }

    /// <summary>A chunk in flight: the first <paramref name="Length"/> floats of the pooled <paramref name="Data"/>.</summary>
    internal readonly record struct Message(int Tag, float[] Data, int Length);
}
