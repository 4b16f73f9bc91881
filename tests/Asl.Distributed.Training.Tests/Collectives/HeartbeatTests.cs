using Asl.Distributed.Training.Collectives;
using Microsoft.Extensions.Time.Testing;
using static Asl.Distributed.Training.Tests.Collectives.PeerHarness;

namespace Asl.Distributed.Training.Tests.Collectives;

/// <summary>
/// Heartbeats of an idle link over real servers on loopback: they keep a waiting neighbour from timing out, on the
/// stream it waits on. A fake clock moves beat by beat; one test keeps the real clock's timers covered.
/// </summary>
public sealed class HeartbeatTests
{
    [Theory]
    [InlineData(RingTransport.Socket)]
    [InlineData(RingTransport.Grpc)]
    public async Task Collective_OneRankIdleForTwicePeerTimeoutOnAFakeClock_HeartbeatsKeepTheOtherWaitingWhicheverStreamItWaitsOn(RingTransport transport)
    {
        // Three streams; after the join's barrier (two messages a link) the next chunk is due on stream 2, so a
        // heartbeat must reach that stream's reader, not just stream 0's.
        var clock = new FakeTimeProvider();
        var options = Small with { Streams = 3, PeerTimeout = TimeSpan.FromSeconds(2), Transport = transport, TimeProvider = clock };
        var buffers = new[] { new float[] { 1, 2 }, new float[] { 10, 20 } };
        var groups = await JoinAsync(2, options);
        try
        {
            var waiting = Task.Run(() => groups[1].SumAsync(buffers[1])); // rank 1 waits on rank 0's first chunk
            var inbox = InboxOf(groups[1]);

            // Rank 0 is busy elsewhere (a long validation or checkpoint) for ten heartbeat intervals, twice the peer
            // timeout; each beat must reach rank 1 before the clock moves on.
            for (int beat = 1; beat <= 10; beat++)
            {
                clock.Advance(options.HeartbeatInterval);
                long now = clock.GetTimestamp();
                await Hang.Until(() => inbox.LastHeard >= now || inbox.Failure is not null, $"rank 1 hearing heartbeat {beat}");
                Assert.Null(inbox.Failure);
            }
            Assert.False(waiting.IsCompleted);

            await Hang.Guard(groups[0].SumAsync(buffers[0]), "rank 0's sum");
            await Hang.Guard(waiting, "rank 1's sum");
        }
        finally
        {
            await Task.WhenAll(groups.Select(g => g.DisposeAsync().AsTask()));
        }

        Assert.Equal([11f, 22f], buffers[0]);
        Assert.Equal([11f, 22f], buffers[1]);
    }

    [Fact]
    public async Task Collective_OneRankIdleBeyondThePeerTimeoutOnTheRealClock_HeartbeatsKeepTheOtherWaiting()
    {
        // The real clock's timers: a heartbeat every 0.8 s against a 4 s timeout leaves room for a loaded machine.
        var options = Small with { Streams = 3, PeerTimeout = TimeSpan.FromSeconds(4) };
        var buffers = new[] { new float[] { 1, 2 }, new float[] { 10, 20 } };
        await WithGroups(2, options, async (group, r) =>
        {
            if (r == 0)
                await Task.Delay(TimeSpan.FromSeconds(5)); // idle beyond the peer timeout: this test is about time passing
            await group.SumAsync(buffers[r]);
        });

        Assert.Equal([11f, 22f], buffers[0]);
        Assert.Equal([11f, 22f], buffers[1]);
    }
}
