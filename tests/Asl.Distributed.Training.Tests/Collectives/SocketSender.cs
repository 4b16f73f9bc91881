using System.Net.Sockets;
using Asl.Distributed.Training.Collectives;

namespace Asl.Distributed.Training.Tests.Collectives;

/// <summary>A data connection written by hand, so malformed and out-of-order frames can be sent on purpose.</summary>
internal sealed class SocketSender(TcpClient client, byte[] token) : IDisposable
{
    public NetworkStream Stream { get; } = client.GetStream();

    public byte[] Token { get; } = token;

    public static byte[] Bytes(float[] values) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    public static byte[] Frame(FrameKind kind, long sequence, long tag, byte[] payload)
    {
        var frame = new byte[RingFrames.HeaderBytes + payload.Length];
        RingFrames.Write(frame, new FrameHeader(kind, WireFormat.Float32, payload.Length, sequence, tag));
        payload.CopyTo(frame, RingFrames.HeaderBytes);
        return frame;
    }

    /// <summary>Writes <paramref name="bytes"/> in pieces of 1 to 13 bytes with a pause now and then.</summary>
    public async Task TrickleAsync(byte[] bytes)
    {
        int offset = 0, piece = 0;
        while (offset < bytes.Length)
        {
            int length = Math.Min(1 + piece % 13, bytes.Length - offset);
            await Stream.WriteAsync(bytes.AsMemory(offset, length));
            offset += length;
            if (++piece % 50 == 0)
                await Task.Delay(1);
        }
    }

    /// <summary>The abort frame the receiver writes back when it stops.</summary>
    public async Task<(int LostRank, string Reason)> ReadAbortAsync()
    {
        var header = new byte[RingFrames.HeaderBytes];
        await Hang.Guard(Stream.ReadExactlyAsync(header).AsTask(), "the receiver's abort frame");
        var frame = RingFrames.Read(header);
        Assert.Equal(FrameKind.Abort, frame.Kind);
        var payload = new byte[frame.Length];
        await Hang.Guard(Stream.ReadExactlyAsync(payload).AsTask(), "the abort frame's reason");
        return RingFrames.ReadAbort(payload);
    }

    public void Dispose() => client.Dispose();
}
