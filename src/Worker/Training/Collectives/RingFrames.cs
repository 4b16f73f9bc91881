using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Asl.Distributed.Training.Collectives;

/// <summary>What a frame on a socket data stream is (<see cref="RingFrames"/>).</summary>
internal enum FrameKind : byte
{
    /// <summary>One chunk of a collective; the payload is its elements.</summary>
    Data = 1,

    /// <summary>The sender is alive; no payload.</summary>
    Heartbeat = 2,

    /// <summary>Receiver to sender, the last frame of a stream: the payload is the lost rank (int32) and the reason (UTF-8).</summary>
    Abort = 3,

    /// <summary>Receiver to sender, the last frame of a stream: its job is over; no payload.</summary>
    Closed = 4,
}

/// <summary>One frame's fixed header.</summary>
internal readonly record struct FrameHeader(FrameKind Kind, WireFormat Format, int Length, long Sequence, long Tag);

/// <summary>
/// The framing of a socket data stream (<see cref="RingTransport.Socket"/>). The sender opens the connection with
/// <see cref="Preface"/> and the 16-byte token its gRPC <c>OpenDataStream</c> call was granted; then come frames of a
/// 24-byte little-endian header (kind u8, element format u8, two zero bytes, payload length i32, sequence i64,
/// tag i64) followed by the payload. The receiver writes back only when it stops: an <see cref="FrameKind.Abort"/>
/// frame naming the lost rank after a failure, a <see cref="FrameKind.Closed"/> frame at the end of its job.
/// </summary>
internal static class RingFrames
{
    public const int HeaderBytes = 24;

    public const int TokenBytes = 16;

    /// <summary>The first bytes of a data connection; an HTTP/2 connection starts "PRI * HT" instead.</summary>
    public static ReadOnlySpan<byte> Preface => "ASL-RING"u8;

    /// <summary>Longest abort reason kept, in bytes.</summary>
    public const int MaxReasonBytes = 4096;

    public static void Write(Span<byte> destination, FrameHeader header)
    {
        destination[0] = (byte)header.Kind;
        destination[1] = (byte)header.Format;
        destination[2] = 0;
        destination[3] = 0;
        BinaryPrimitives.WriteInt32LittleEndian(destination[4..], header.Length);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], header.Sequence);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], header.Tag);
    }

    public static FrameHeader Read(ReadOnlySpan<byte> source) => new(
        (FrameKind)source[0],
        (WireFormat)source[1],
        BinaryPrimitives.ReadInt32LittleEndian(source[4..]),
        BinaryPrimitives.ReadInt64LittleEndian(source[8..]),
        BinaryPrimitives.ReadInt64LittleEndian(source[16..]));

    /// <summary>Reads a header that may span the segments of <paramref name="buffer"/> (at least <see cref="HeaderBytes"/> long).</summary>
    public static FrameHeader Read(ReadOnlySequence<byte> buffer)
    {
        Span<byte> header = stackalloc byte[HeaderBytes];
        buffer.Slice(0, HeaderBytes).CopyTo(header);
        return Read(header);
    }

    /// <summary>A whole abort frame: header and payload.</summary>
    public static byte[] Abort(int lostRank, string reason)
    {
        byte[] text = Encoding.UTF8.GetBytes(reason);
        int textLength = Math.Min(text.Length, MaxReasonBytes);
        var frame = new byte[HeaderBytes + sizeof(int) + textLength];
        Write(frame, new FrameHeader(FrameKind.Abort, WireFormat.Float32, sizeof(int) + textLength, 0, 0));
        BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(HeaderBytes), lostRank);
        text.AsSpan(0, textLength).CopyTo(frame.AsSpan(HeaderBytes + sizeof(int)));
        return frame;
    }

    /// <summary>A closed frame: the receiver's job is over.</summary>
    public static byte[] Closed()
    {
        var frame = new byte[HeaderBytes];
        Write(frame, new FrameHeader(FrameKind.Closed, WireFormat.Float32, 0, 0, 0));
        return frame;
    }

    /// <summary>The lost rank and reason of an abort frame's payload.</summary>
    public static (int LostRank, string Reason) ReadAbort(ReadOnlySpan<byte> payload) =>
        (BinaryPrimitives.ReadInt32LittleEndian(payload), Encoding.UTF8.GetString(payload[sizeof(int)..]));

    /// <summary>
    /// Decodes <paramref name="bytes"/> (whole elements of <paramref name="format"/>, in pipe segments that may cut an
    /// element anywhere) into <paramref name="destination"/> as <paramref name="accumulation"/> says.
    /// </summary>
    public static void Decode(ReadOnlySequence<byte> bytes, Span<float> destination, WireFormat format, Accumulation accumulation)
    {
        int unit = WireCodec.BytesPerElement(format);
        Span<byte> straddling = stackalloc byte[sizeof(float)];
        int carried = 0;
        int written = 0;
        foreach (var memory in bytes)
        {
            var segment = memory.Span;
            if (carried > 0)
            {
                int take = Math.Min(unit - carried, segment.Length);
                segment[..take].CopyTo(straddling[carried..]);
                carried += take;
                segment = segment[take..];
                if (carried < unit)
                    continue;
                WireCodec.Apply(straddling[..unit], destination.Slice(written, 1), format, accumulation);
                written++;
                carried = 0;
            }
            int whole = segment.Length / unit;
            WireCodec.Apply(segment[..(whole * unit)], destination.Slice(written, whole), format, accumulation);
            written += whole;
            segment[(whole * unit)..].CopyTo(straddling);
            carried = segment.Length - whole * unit;
        }
        if (carried != 0 || written != destination.Length)
            throw new ArgumentException($"{bytes.Length} bytes of {format} do not fill {destination.Length} elements", nameof(bytes));
    }
}
