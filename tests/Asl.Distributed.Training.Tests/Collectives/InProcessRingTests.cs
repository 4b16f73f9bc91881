using Asl.Distributed.Training.Collectives;

namespace Asl.Distributed.Training.Tests.Collectives;

/// <summary><see cref="InProcessRing"/>: wiring to the right neighbour, order, tag and length checks, traffic count.</summary>
public sealed class InProcessRingTests
{
    [Fact]
    public async Task SendAsync_ThreeRanks_ArrivesAtRightNeighbourInOrderAndCountsBytes()
    {
        var ring = new InProcessRing(3);
        var first = new float[2];
        var second = new float[1];

        await ring.Links[2].SendAsync(new[] { 1f, 2f }, 0, WireFormat.Float32, CancellationToken.None);
        await ring.Links[2].SendAsync(new[] { 3f }, 1, WireFormat.Float32, CancellationToken.None);
        await ring.Links[0].ReceiveAsync(first, 0, WireFormat.Float32, Accumulation.Overwrite, CancellationToken.None);
        await ring.Links[0].ReceiveAsync(second, 1, WireFormat.Float32, Accumulation.Overwrite, CancellationToken.None);

        Assert.Equal([1f, 2f], first);
        Assert.Equal([3f], second);
        Assert.Equal(3 * sizeof(float), ring.Links[2].BytesSent);
        Assert.Equal(0, ring.Links[0].BytesSent);
    }

    [Fact]
    public async Task ReceiveAsync_UnexpectedTag_ThrowsNamingBothTags()
    {
        var ring = new InProcessRing(2);
        await ring.Links[0].SendAsync(new[] { 1f }, 4, WireFormat.Float32, CancellationToken.None);

        var error = await Assert.ThrowsAsync<CollectiveException>(
            async () => await ring.Links[1].ReceiveAsync(new float[1], 3, WireFormat.Float32, Accumulation.Overwrite, CancellationToken.None));

        Assert.Contains("expected tag 3", error.Message);
        Assert.Contains("received tag 4", error.Message);
    }

    [Fact]
    public async Task ReceiveAsync_UnexpectedLength_Throws()
    {
        var ring = new InProcessRing(2);
        await ring.Links[0].SendAsync(new[] { 1f, 2f }, 0, WireFormat.Float32, CancellationToken.None);

        await Assert.ThrowsAsync<CollectiveException>(
            async () => await ring.Links[1].ReceiveAsync(new float[3], 0, WireFormat.Float32, Accumulation.Overwrite, CancellationToken.None));
    }

    [Fact]
    public async Task SendAsync_ChannelFull_WaitsUntilCancelled()
    {
        var ring = new InProcessRing(2, capacity: 1);
        await ring.Links[0].SendAsync(new[] { 1f }, 0, WireFormat.Float32, CancellationToken.None);
        using var cancel = new CancellationTokenSource();

        var sending = ring.Links[0].SendAsync(new[] { 2f }, 1, WireFormat.Float32, cancel.Token).AsTask();
        Assert.False(sending.IsCompleted); // the queue is full and nobody receives
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Hang.Guard(sending, "the cancelled send"));
        Assert.Equal(sizeof(float), ring.Links[0].BytesSent);
    }
}
