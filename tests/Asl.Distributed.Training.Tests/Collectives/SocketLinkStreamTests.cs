using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Asl.Distributed.Training.Collectives;

namespace Asl.Distributed.Training.Tests.Collectives;

/// <summary>
/// The sending end of a socket data stream against a receiver written by hand on a raw TCP listener, so that the
/// receiver can stop exactly as a failing rank does: an abort frame naming the lost rank, then a closed connection.
/// </summary>
public sealed class SocketLinkStreamTests
{
    [Fact]
    public async Task Send_ReceiverAbortsAndResetsMidWrite_TheLinkBreaksWithTheAbortNotWithTheReset()
    {
        // The receiver's abort and its reset reach the sender at almost the same moment; the abort was written first,
        // so it is what the link must report (the rank it names, not this neighbour). Repeated, because which of the
        // sender's two loops wakes first is up to the scheduler.
        for (int round = 0; round < 20; round++)
        {
            var broken = new ConcurrentQueue<Exception>();
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var receiver = ReceiveThenAbortAsync(listener, lostRank: 7);
            var link = await Hang.Guard(SocketLinkStream.OpenAsync(new DnsEndPoint("127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port),
                new byte[RingFrames.TokenBytes], tls: null, broken.Enqueue, CancellationToken.None), "the connection");
            try
            {
                // Chunks larger than the kernel's buffers: a send is still writing when the receiver stops.
                var chunk = new float[4 << 20];
                await Assert.ThrowsAnyAsync<Exception>(() => Hang.Guard(SendUntilItFailsAsync(link, chunk), "the failed send"));
                await Hang.Guard(receiver, "the receiver");
            }
            finally
            {
                await link.DisposeAsync();
            }

            Assert.True(broken.TryPeek(out var first), "the link never reported a break");
            var aborted = Assert.IsType<RingAbortedException>(first);
            Assert.Equal((7, "rank 7 left"), (aborted.LostRank, aborted.Reason));
        }
    }

    private static async Task SendUntilItFailsAsync(SocketLinkStream link, float[] chunk)
    {
        for (long sequence = 0; ; sequence++)
            await link.SendAsync(chunk, sequence, tag: 0, WireFormat.Float32, CancellationToken.None);
    }

    /// <summary>Accepts one connection, reads its preface, token and some data, then writes an abort and resets the connection.</summary>
    private static async Task ReceiveThenAbortAsync(TcpListener listener, int lostRank)
    {
        using var socket = await listener.AcceptSocketAsync();
        var opening = new byte[RingFrames.Preface.Length + RingFrames.TokenBytes + 4096];
        int read = 0;
        while (read < opening.Length)
            read += await socket.ReceiveAsync(opening.AsMemory(read));
        await socket.SendAsync(RingFrames.Abort(lostRank, $"rank {lostRank} left"));
        // Unread data in the receive buffer and a zero linger: the close is a reset, as when a failing rank exits.
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }
}
