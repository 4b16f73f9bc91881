using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Asl.Distributed.Training.Collectives;

namespace Asl.Distributed.Benchmarks;

/// <summary>
/// The least a ring link over TCP can do, as a ceiling for the real transports (<c>allreduce --transport raw-tcp</c>):
/// one plain socket per link, no authentication, no heartbeats, no failure handling. A send writes a 12-byte header
/// and the chunk straight from its memory; a receive that overwrites reads straight into the destination, one that
/// adds reads into a 1 MiB scratch buffer and adds from there. Benchmarks only.
/// </summary>
internal sealed class RawTcpRing : IRingLink, IAsyncDisposable
{
    private readonly Socket _right;
    private readonly Socket _left;
    private readonly byte[] _sendHeader = new byte[12];
    private readonly byte[] _receiveHeader = new byte[12];
    private byte[] _scratch = new byte[1 << 20];

    private RawTcpRing(Socket right, Socket left)
    {
        _right = right;
        _left = left;
    }

    /// <summary>Listens on this rank's port, connects to the right neighbour's, and accepts the left one's.</summary>
    public static async Task<RawTcpRing> JoinAsync(int rank, IReadOnlyList<string> peers)
    {
        var own = PeerGroup.ParseEndpoint(peers[rank], rank);
        var right = PeerGroup.ParseEndpoint(peers[(rank + 1) % peers.Count], (rank + 1) % peers.Count);
        using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, own.Port));
        listener.Listen();
        var accepting = listener.AcceptAsync();
        var toRight = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                await toRight.ConnectAsync(right);
                break;
            }
            catch (SocketException) when (attempt < 200)
            {
                await Task.Delay(50);
            }
        }
        var fromLeft = await accepting;
        fromLeft.NoDelay = true;
        return new RawTcpRing(toRight, fromLeft);
    }

    public async ValueTask SendAsync(ReadOnlyMemory<float> chunk, long tag, WireFormat format, CancellationToken ct)
    {
        if (format != WireFormat.Float32)
            throw new NotSupportedException("the raw TCP ring sends float32 only");
        int bytes = chunk.Length * sizeof(float);
        BinaryPrimitives.WriteInt64LittleEndian(_sendHeader, tag);
        BinaryPrimitives.WriteInt32LittleEndian(_sendHeader.AsSpan(8), bytes);
        await SendAllAsync(_sendHeader, ct);
        using var pinned = chunk.Pin();
        using var payload = new PinnedBytes(pinned, bytes);
        await SendAllAsync(payload.Memory, ct);
    }

    public async ValueTask ReceiveAsync(Memory<float> destination, long tag, WireFormat format, Accumulation accumulation, CancellationToken ct)
    {
        await ReceiveAllAsync(_receiveHeader, ct);
        long received = BinaryPrimitives.ReadInt64LittleEndian(_receiveHeader);
        int bytes = BinaryPrimitives.ReadInt32LittleEndian(_receiveHeader.AsSpan(8));
        if (received != tag || bytes != destination.Length * sizeof(float))
            throw new InvalidOperationException($"expected tag {tag} with {destination.Length * sizeof(float)} bytes, got tag {received} with {bytes}");
        if (!accumulation.Adds)
        {
            using var pinned = destination.Pin();
            using var target = new PinnedBytes(pinned, bytes);
            await ReceiveAllAsync(target.Memory, ct);
            return;
        }
        if (_scratch.Length < bytes)
            _scratch = new byte[bytes];
        await ReceiveAllAsync(_scratch.AsMemory(0, bytes), ct);
        WireCodec.Apply(_scratch.AsSpan(0, bytes), destination.Span, format, accumulation);
    }

    public ValueTask DisposeAsync()
    {
        _right.Dispose();
        _left.Dispose();
        return ValueTask.CompletedTask;
    }

    private async ValueTask SendAllAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        while (!bytes.IsEmpty)
            bytes = bytes[await _right.SendAsync(bytes, SocketFlags.None, ct)..];
    }

    private async ValueTask ReceiveAllAsync(Memory<byte> bytes, CancellationToken ct)
    {
        while (!bytes.IsEmpty)
        {
            int read = await _left.ReceiveAsync(bytes, SocketFlags.None, ct);
            if (read == 0)
                throw new IOException("the left neighbour closed the connection");
            bytes = bytes[read..];
        }
    }
}
