using System.Buffers;
using System.Threading.Channels;

namespace Asl.Distributed.Training.Collectives;

/// <summary>
/// One rank's end of an <see cref="InProcessRing"/>. A send encodes the chunk into a pooled array, as a network link
/// would, so the caller may reuse its memory as soon as the send completes; the receiver returns the array.
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

    /// <summary>Payload bytes this rank has sent so far, for traffic checks and telemetry.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <inheritdoc />
    public async ValueTask SendAsync(ReadOnlyMemory<float> chunk, long tag, WireFormat format, CancellationToken ct)
    {
        int length = chunk.Length * WireCodec.BytesPerElement(format);
        var data = ArrayPool<byte>.Shared.Rent(length);
        WireCodec.Encode(chunk.Span, data.AsSpan(0, length), format);
        try
        {
            await _toRight.WriteAsync(new Message(tag, format, data, length), ct).ConfigureAwait(false);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(data);
            throw;
        }
        Interlocked.Add(ref _bytesSent, length);
    }

    /// <inheritdoc />
    public async ValueTask ReceiveAsync(Memory<float> destination, long tag, WireFormat format, Accumulation accumulation, CancellationToken ct)
    {
        var message = await _fromLeft.ReadAsync(ct).ConfigureAwait(false);
        try
        {
            int expected = destination.Length * WireCodec.BytesPerElement(format);
            if (message.Tag != tag || message.Format != format || message.Length != expected)
            {
                throw new CollectiveException(Rank, -1,
                    $"expected tag {tag} with {destination.Length} {format} values from the left neighbour " +
                    $"but received tag {message.Tag} with {message.Length} bytes of {message.Format}");
            }
            WireCodec.Apply(message.Data.AsSpan(0, message.Length), destination.Span, format, accumulation);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(message.Data);
        }
    }

    /// <summary>A chunk in flight: the first <paramref name="Length"/> bytes of the pooled <paramref name="Data"/>.</summary>
    internal readonly record struct Message(long Tag, WireFormat Format, byte[] Data, int Length);
}
