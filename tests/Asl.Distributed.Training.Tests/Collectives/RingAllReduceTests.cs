using Asl.Distributed.Training.Collectives;

namespace Asl.Distributed.Training.Tests.Collectives;

/// <summary>
/// <see cref="RingAllReduce"/> over an <see cref="InProcessRing"/>: sums against a float64 recomputation, bitwise
/// agreement between ranks, the mean, traffic per rank against 2(n − 1)/n of the buffer, and failure handling.
/// </summary>
public sealed class RingAllReduceTests
{
    private const int SmallChunk = 3;

    public static TheoryData<int, int, int> SumCases()
    {
        var cases = new TheoryData<int, int, int>();
        for (var n = 1; n <= 5; n++)
        {
            foreach (var length in new[] { 0, 1, n - 1, n, 7, 1000, 1_000_003 }.Distinct())
            {
                cases.Add(n, length, RingAllReduceOptions.DefaultChunkLength);
                // Many chunks per segment exercise the pipeline on small buffers; the largest one would be too slow.
                if (length < 1_000_003)
                    cases.Add(n, length, SmallChunk);
            }
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(SumCases))]
    public async Task SumAsync_RandomInputs_EveryRankMatchesFloat64SumAndRanksAgreeBitwise(int worldSize, int length, int chunkLength)
    {
        var inputs = RingHarness.RandomInputs(worldSize, length, seed: length + worldSize);
        var buffers = RingHarness.Copy(inputs);
        var ring = new InProcessRing(worldSize);

        await RingHarness.RunAsync(ring, buffers, (reducer, buffer) => reducer.SumAsync(buffer), chunkLength);

        var (sum, magnitude) = RingHarness.Reference(inputs);
        var worst = FirstOutsideTolerance(buffers[0], sum, magnitude);
        Assert.True(worst < 0, worst < 0 ? null : $"Element {worst}: {buffers[0][worst]} vs float64 {sum[worst]}.");
        for (var rank = 1; rank < worldSize; rank++)
            Assert.True(buffers[0].AsSpan().SequenceEqual(buffers[rank]), $"Rank {rank} differs from rank 0.");
    }

    [Theory]
    [InlineData(2, 1000)]
    [InlineData(3, 7)]
    [InlineData(5, 1_000_003)]
    public async Task AverageAsync_RandomInputs_EqualsSumDividedByWorldSize(int worldSize, int length)
    {
        var inputs = RingHarness.RandomInputs(worldSize, length, seed: 7);
        var sums = RingHarness.Copy(inputs);
        var means = RingHarness.Copy(inputs);

        await RingHarness.RunAsync(new InProcessRing(worldSize), sums, (reducer, buffer) => reducer.SumAsync(buffer));
        await RingHarness.RunAsync(new InProcessRing(worldSize), means, (reducer, buffer) => reducer.AverageAsync(buffer));

        var (sum, magnitude) = RingHarness.Reference(inputs);
        var meanReference = sum.Select(value => value / worldSize).ToArray();
        var meanMagnitude = magnitude.Select(value => value / worldSize).ToArray();
        for (var rank = 0; rank < worldSize; rank++)
        {
            Assert.True(sums[rank].Select(value => value / worldSize).SequenceEqual(means[rank]), $"Rank {rank}: mean is not sum / n.");
            Assert.Equal(-1, FirstOutsideTolerance(means[rank], meanReference, meanMagnitude));
        }
    }

    [Theory]
    [InlineData(2, 1000, SmallChunk)]
    [InlineData(3, 1000, 64)]
    [InlineData(4, 1001, SmallChunk)]
    [InlineData(5, 1_000_003, RingAllReduceOptions.DefaultChunkLength)]
    [InlineData(5, 3, SmallChunk)]
    public async Task SumAsync_AnyWorldSize_EachRankSendsTwoTimesNMinusOneOverNOfTheBuffer(int worldSize, int length, int chunkLength)
    {
        var ring = new InProcessRing(worldSize);

        await RingHarness.RunAsync(ring, RingHarness.RandomInputs(worldSize, length, seed: 3), (reducer, buffer) => reducer.SumAsync(buffer), chunkLength);

        // Uneven segments move each rank's share by at most one float per phase, far less than one chunk.
        var expected = 2.0 * (worldSize - 1) / worldSize * length * sizeof(float);
        foreach (var link in ring.Links)
            Assert.InRange(link.BytesSent, expected - 2 * sizeof(float), expected + 2 * sizeof(float));
    }

    [Fact]
    public async Task SumAsync_WorldSizeOne_ReturnsWithoutTouchingTheLink()
    {
        var link = new FaultyRingLink(new InProcessRing(1).Links[0], callsBeforeFault: 0);
        var buffer = new[] { 1f, -2f, 3.5f };

        await new RingAllReduce(link, 0, 1).SumAsync(buffer);
        await new RingAllReduce(link, 0, 1).AverageAsync(buffer);

        Assert.Equal(0, link.Calls);
        Assert.Equal([1f, -2f, 3.5f], buffer);
    }

    [Fact]
    public async Task SumAsync_LinkThrowsOnOneRank_ThatRankFailsWithItsErrorAndCancellationStopsTheOthers()
    {
        // The in-process ring does not propagate a fault by itself: like a worker host, the test cancels the token the
        // ranks share as soon as one fails, and the others must stop promptly with a cancellation.
        const int worldSize = 4;
        const int faultyRank = 2;
        using var gang = new CancellationTokenSource();
        var ring = new InProcessRing(worldSize, capacity: 1);
        var buffers = RingHarness.RandomInputs(worldSize, 1000, seed: 11);

        var ranks = RingHarness.Start(
            ring,
            buffers,
            (reducer, buffer) => reducer.SumAsync(buffer, gang.Token),
            chunkLength: 8,
            wrap: (rank, link) => rank == faultyRank ? new FaultyRingLink(link, callsBeforeFault: 5) : link);
        foreach (var rank in ranks)
            _ = rank.ContinueWith(_ => gang.Cancel(), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

        await Hang.Guard(Task.WhenAll(ranks).ContinueWith(_ => { }, TaskScheduler.Default), "every rank stopping");

        Assert.IsType<IOException>(ranks[faultyRank].Exception?.InnerException);
        for (var rank = 0; rank < worldSize; rank++)
        {
            if (rank != faultyRank)
                Assert.True(ranks[rank].IsCanceled, $"Rank {rank} ended {ranks[rank].Status}, not cancelled.");
        }
    }

    [Fact]
    public async Task SumAsync_LinkThrowsOnReceive_OriginalErrorSurfacesNotTheCancellationOfTheSender()
    {
        var link = new FaultyRingLink(new InProcessRing(2).Links[0], callsBeforeFault: 0);

        await Assert.ThrowsAsync<IOException>(() => new RingAllReduce(link, 0, 2).SumAsync(new float[100]));
    }

    [Fact]
    public async Task SumAsync_CancelledToken_ThrowsOperationCanceled()
    {
        var ring = new InProcessRing(2);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => new RingAllReduce(ring.Links[0], 0, 2).SumAsync(new float[10], new CancellationToken(canceled: true)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Constructor_ChunkLengthBelowOne_ThrowsNamingTheField(int chunkLength)
    {
        var error = Assert.Throws<ArgumentException>(
            () => new RingAllReduce(new InProcessRing(2).Links[0], 0, 2, new RingAllReduceOptions { ChunkLength = chunkLength }));

        Assert.Contains(nameof(RingAllReduceOptions.ChunkLength), error.Message);
    }

    /// <summary>Index of the first element off the float64 reference by more than 1e-5 of the sum of magnitudes, or −1.</summary>
    private static int FirstOutsideTolerance(float[] actual, double[] reference, double[] magnitude)
    {
        for (var i = 0; i < actual.Length; i++)
        {
            if (Math.Abs(actual[i] - reference[i]) > 1e-5 * magnitude[i])
                return i;
        }
        return -1;
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 5)]
    [InlineData(4, 5)]
    [InlineData(7, 3)]
    [InlineData(1_000_003, 4)]
    public void Segment_AnyLength_SegmentsTileTheBufferWithFloorOrCeilLengths(int length, int worldSize)
    {
        var next = 0;
        for (var i = 0; i < worldSize; i++)
        {
            var (start, segmentLength) = RingAllReduce.Segment(length, worldSize, i);
            Assert.Equal(next, start);
            Assert.InRange(segmentLength, length / worldSize, (length + worldSize - 1) / worldSize);
            next = start + segmentLength;
        }
        Assert.Equal(length, next);
    }
}
