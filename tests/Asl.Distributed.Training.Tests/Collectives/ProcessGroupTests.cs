using Asl.Distributed.Training.Collectives;

namespace Asl.Distributed.Training.Tests.Collectives;

/// <summary>
/// Every collective of <see cref="ProcessGroup"/> on random buffers of awkward sizes (empty, smaller than the world,
/// not divisible by it) against a float64 or exact reference, over an in-process ring with small chunks.
/// </summary>
public sealed class ProcessGroupTests
{
    public static TheoryData<int, int> Sizes => new()
    {
        { 1, 0 }, { 1, 5 }, { 2, 0 }, { 2, 1 }, { 2, 3 }, { 3, 2 }, { 3, 7 }, { 3, 1001 }, { 4, 3 }, { 5, 12_347 },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task SumAverageBroadcast_OddSizes_MatchTheReference(int world, int length)
    {
        var inputs = RingHarness.RandomInputs(world, length, seed: world * 100 + length);
        var (sum, magnitude) = RingHarness.Reference(inputs);
        var sums = RingHarness.Copy(inputs);
        var means = RingHarness.Copy(inputs);
        var broadcast = RingHarness.Copy(inputs);

        await OnEveryRank(world, async (group, r) =>
        {
            await group.SumAsync(sums[r]);
            await group.AverageAsync(means[r]);
            await group.BroadcastAsync(broadcast[r]);
        });

        for (int r = 0; r < world; r++)
        {
            for (int i = 0; i < length; i++)
            {
                Assert.True(Math.Abs(sums[r][i] - sum[i]) <= 1e-6 * magnitude[i] + 1e-30, $"sum, rank {r}, element {i}");
                Assert.True(Math.Abs(means[r][i] - sum[i] / world) <= 1e-6 * magnitude[i] / world + 1e-30, $"mean, rank {r}, element {i}");
            }
            Assert.Equal(sums[0], sums[r]);
            Assert.Equal(inputs[0], broadcast[r]);
        }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task AllGatherAndSumDoubles_OddSizes_AreExact(int world, int length)
    {
        // Block r holds (length + r) mod (world + 1) values, so some are empty and all differ.
        var blocks = Enumerable.Range(0, world).Select(r => RingHarness.RandomInputs(1, (length + r) % (world + 1) + (r == 0 ? length : 0), seed: r)[0]).ToArray();
        var doubles = Enumerable.Range(0, world).Select(r => new[] { r * 1e-3 + 1, Math.PI * r, -r }).ToArray();
        var gathered = new GatheredBlocks[world];
        var sums = new double[world][];

        await OnEveryRank(world, async (group, r) =>
        {
            gathered[r] = await group.AllGatherAsync(blocks[r]);
            sums[r] = await group.SumDoublesAsync(doubles[r]);
        });

        var expected = blocks.SelectMany(b => b).ToArray();
        var expectedSums = new double[3];
        foreach (var d in doubles)
            for (int i = 0; i < 3; i++)
                expectedSums[i] += d[i];
        for (int r = 0; r < world; r++)
        {
            Assert.Equal(expected, gathered[r].Values);
            Assert.Equal(blocks.Select(b => b.Length), gathered[r].Lengths);
            Assert.Equal(expectedSums, sums[r]);
        }
    }

    [Fact]
    public async Task Collectives_RankCallsThemInAnotherOrder_FailWithBothCollectivesNamed()
    {
        var ring = new InProcessRing(2);
        var groups = Enumerable.Range(0, 2).Select(r => new ProcessGroup(ring.Links[r], r, 2, chunkLength: 4)).ToArray();
        // The in-process ring does not pass a failure on: as a worker host would, the first rank to fail stops the
        // other, which would otherwise wait for ever on a chunk that never comes.
        using var stop = new CancellationTokenSource();
        var first = Task.Run(() => groups[0].SumAsync(new float[8], stop.Token));
        var second = Task.Run(async () =>
        {
            await groups[1].BarrierAsync(stop.Token);     // collective 0 on rank 1 is a barrier of 1 value …
            await groups[1].SumAsync(new float[8], stop.Token);
        });
        foreach (var rank in new[] { first, second })
            _ = rank.ContinueWith(_ => stop.Cancel(), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

        await Hang.Guard(Task.WhenAll(first, second).ContinueWith(_ => { }, TaskScheduler.Default), "both ranks stopping");
        var error = Assert.IsType<CollectiveException>(first.Exception?.InnerException ?? second.Exception?.InnerException);
        Assert.Contains("expected tag", error.Message);
    }

    private static async Task OnEveryRank(int world, Func<ProcessGroup, int, Task> work)
    {
        var ring = new InProcessRing(world);
        var groups = Enumerable.Range(0, world).Select(r => world == 1 ? ProcessGroup.Single() : new ProcessGroup(ring.Links[r], r, world, chunkLength: 3)).ToArray();
        await Hang.Guard(Task.WhenAll(Enumerable.Range(0, world).Select(r => Task.Run(() => work(groups[r], r)))), "the collectives");
    }
}
