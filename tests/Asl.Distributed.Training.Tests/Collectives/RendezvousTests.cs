using Asl.Distributed.Training.Collectives;
using Microsoft.Extensions.Time.Testing;
using static Asl.Distributed.Training.Tests.Collectives.PeerHarness;

namespace Asl.Distributed.Training.Tests.Collectives;

/// <summary>
/// The rendezvous timeout on a fake clock, on both sides of a link: a receiver whose left neighbour never connects and
/// a sender whose right neighbour never listens each fail exactly when it runs out, naming that neighbour.
/// (PeerRingTests runs a whole job with a missing rank on the real clock.)
/// </summary>
public sealed class RendezvousTests
{
    /// <summary>An hour: only the fake clock can end it, so a timer on the real clock would hang the test.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromHours(1);

    [Theory]
    [InlineData(RingTransport.Socket)]
    [InlineData(RingTransport.Grpc)]
    public async Task Receive_LeftNeighbourNeverConnects_FailsExactlyAtTheRendezvousTimeoutNamingIt(RingTransport transport)
    {
        var clock = new FakeTimeProvider();
        using var inbox = new RingInbox(1, 3, Secret, Small with { RendezvousTimeout = Timeout, Transport = transport, TimeProvider = clock });
        var waiting = inbox.ReceiveAsync(new float[4], 0, WireFormat.Float32, Accumulation.Overwrite, CancellationToken.None).AsTask();

        // The watchdog runs inside Advance, so a failure it finds is already recorded when Advance returns.
        clock.Advance(Timeout - TimeSpan.FromMilliseconds(1));
        Assert.Null(inbox.Failure);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.NotNull(inbox.Failure);

        var error = await Assert.ThrowsAsync<CollectiveException>(() => Hang.Guard(waiting, "the failed receive"));
        Assert.Equal(0, error.LostRank);
        Assert.Contains("rank 0 never connected within the rendezvous timeout of 3600 s", error.Message);
    }

    [Theory]
    [InlineData(RingTransport.Socket)]
    [InlineData(RingTransport.Grpc)]
    public async Task ConnectAsync_RightNeighbourNeverListens_FailsOnceTheRendezvousTimeoutHasPassedNamingIt(RingTransport transport)
    {
        var clock = new FakeTimeProvider();
        using var inbox = new RingInbox(0, 3, Secret, Small with { RendezvousTimeout = Timeout, Transport = transport, TimeProvider = clock });
        int port = LoopbackPorts.Free(1)[0]; // nobody listens there
        await using var link = new PeerRingLink(inbox, new Uri($"http://127.0.0.1:{port}"), Secret);
        long deadline = clock.GetTimestamp() + (long)(Timeout.TotalSeconds * clock.TimestampFrequency);

        // The link retries on the real clock until the fake one says the rendezvous is over.
        var connecting = link.ConnectAsync(deadline, CancellationToken.None);
        clock.Advance(Timeout - TimeSpan.FromMilliseconds(1));
        Assert.False(connecting.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));

        var error = await Assert.ThrowsAsync<CollectiveException>(() => Hang.Guard(connecting, "the failed connect"));
        Assert.Equal(1, error.LostRank);
        Assert.Contains($"rank 1 at http://127.0.0.1:{port}/ could not be reached within the rendezvous timeout of 3600 s", error.Message);
        Assert.Same(error, inbox.Failure);
    }
}
