using Asl.Distributed.Training.Loading;

namespace Asl.Distributed.Training.Tests.Loading;

public sealed class DistributedSamplerTests
{
    [Fact]
    public void GetIndices_TenSamplesThreeRanksNoShuffle_PadsFromTheStart()
    {
        // PyTorch: num_samples = ceil(10 / 3) = 4, total 12, order 0…9 then 0, 1; rank r takes r, r + 3, ….
        int[][] expected = [[0, 3, 6, 9], [1, 4, 7, 0], [2, 5, 8, 1]];

        for (int rank = 0; rank < 3; rank++)
        {
            var sampler = new DistributedSampler(10, worldSize: 3, rank: rank, shuffle: false);
            Assert.Equal(4, sampler.NumSamples);
            Assert.Equal(12, sampler.TotalSize);
            Assert.Equal(expected[rank], sampler.GetIndices());
        }
    }

    [Theory]
    [InlineData(10, 3, true)]
    [InlineData(10, 3, false)]
    [InlineData(2, 3, false)]
    [InlineData(0, 2, false)]
    [InlineData(7, 1, true)]
    public void GetIndices_Uneven_ShardsHoldEverySampleExactlyOnce(int length, int world, bool shuffle)
    {
        var shards = Enumerable.Range(0, world).Select(r =>
        {
            var sampler = new DistributedSampler(length, world, r, shuffle, seed: 3, uneven: true);
            sampler.SetEpoch(2);
            var indices = sampler.GetIndices();
            Assert.Equal(sampler.NumSamples, indices.Length);
            return indices;
        }).ToArray();

        Assert.Equal(Enumerable.Range(0, length), shards.SelectMany(s => s).Order());
        Assert.InRange(shards.Max(s => s.Length) - shards.Min(s => s.Length), 0, 1);
        // The same interleaving as the padded sampler, only without the padding.
        var padded = new DistributedSampler(length, world, 0, shuffle, seed: 3);
        padded.SetEpoch(2);
        Assert.Equal(padded.GetIndices().Take(shards[0].Length), shards[0]);
    }

    [Fact]
    public void Constructor_UnevenWithDropLast_Throws() =>
        Assert.Throws<ArgumentException>(() => new DistributedSampler(10, 2, 0, uneven: true, dropLast: true));

    [Fact]
    public void GetIndices_TenSamplesThreeRanksDropLast_CutsTheTail()
    {
        // PyTorch: num_samples = ceil((10 − 3) / 3) = 3, total 9: the last sample is dropped.
        int[][] expected = [[0, 3, 6], [1, 4, 7], [2, 5, 8]];

        for (int rank = 0; rank < 3; rank++)
            Assert.Equal(expected[rank], new DistributedSampler(10, 3, rank, shuffle: false, dropLast: true).GetIndices());
    }

    [Fact]
    public void GetIndices_FewerSamplesThanRanks_RepeatsTheOrderAsOftenAsNeeded()
    {
        // N = 2, world = 5: total 5, order 0, 1, 0, 1, 0.
        Assert.Equal([0, 1, 0, 1, 0], Enumerable.Range(0, 5).Select(r => new DistributedSampler(2, 5, r, shuffle: false).GetIndices().Single()));
    }

    [Fact]
    public void GetIndices_TenSamplesThreeRanksShuffled_ShardsAreStridedSlicesOfOnePaddedPermutation()
    {
        var samplers = Enumerable.Range(0, 3).Select(r => new DistributedSampler(10, 3, r, shuffle: true, seed: 7)).ToArray();
        int[] order = samplers[0].GetGlobalOrder();

        // A permutation of 0…9, padded with its own first two entries.
        Assert.Equal(Enumerable.Range(0, 10), order[..10].Order());
        Assert.Equal(order[..2], order[10..]);
        Assert.NotEqual(Enumerable.Range(0, 10), order[..10]);
        for (int rank = 0; rank < 3; rank++)
        {
            Assert.Equal(order, samplers[rank].GetGlobalOrder());
            Assert.Equal([order[rank], order[rank + 3], order[rank + 6], order[rank + 9]], samplers[rank].GetIndices());
        }
    }

    [Theory]
    [InlineData(10, 3, false)]
    [InlineData(10, 3, true)]
    [InlineData(101, 4, false)]
    [InlineData(7, 7, true)]
    [InlineData(3, 8, false)]
    public void GetIndices_AllRanks_CoverTheDataSetWithEqualShards(int length, int world, bool dropLast)
    {
        var shards = Enumerable.Range(0, world)
            .Select(r => new DistributedSampler(length, world, r, shuffle: true, seed: 3, dropLast: dropLast))
            .Select(s => { s.SetEpoch(5); return s.GetIndices(); })
            .ToArray();

        int perRank = dropLast ? length / world : (length + world - 1) / world;
        Assert.All(shards, s => Assert.Equal(perRank, s.Length));
        var all = shards.SelectMany(s => s).ToArray();
        if (dropLast)
        {
            Assert.Equal(all.Length, all.Distinct().Count());
        }
        else
        {
            Assert.Equal(Enumerable.Range(0, length), all.Distinct().Order());
            // Padding repeats at most world − 1 samples… or whole rounds when N < world.
            Assert.Equal(perRank * world - length, all.Length - all.Distinct().Count());
        }
    }

    [Fact]
    public void SetEpoch_ChangesTheOrder_AndReturningToAnEpochRestoresIt()
    {
        var sampler = new DistributedSampler(50, 2, 1, shuffle: true, seed: 11);
        int[] epoch0 = sampler.GetIndices();
        sampler.SetEpoch(1);
        int[] epoch1 = sampler.GetIndices();
        sampler.SetEpoch(0);

        Assert.NotEqual(epoch0, epoch1);
        Assert.Equal(epoch0, sampler.GetIndices());
    }

    [Fact]
    public void GetIndices_DependsOnSeedPlusEpochOnly()
    {
        var a = new DistributedSampler(30, 1, 0, seed: 10);
        a.SetEpoch(3);
        var b = new DistributedSampler(30, 1, 0, seed: 12);
        b.SetEpoch(1);
        var c = new DistributedSampler(30, 1, 0, seed: 11);
        c.SetEpoch(3);

        Assert.Equal(a.GetIndices(), b.GetIndices());
        Assert.NotEqual(a.GetIndices(), c.GetIndices());
    }

    [Fact]
    public void GetIndices_ShuffleOverManySeeds_PutsEverySampleEverywhereEvenly()
    {
        // Uniform permutations: each of 5 samples lands at each of 5 positions 1/5 of the time.
        var counts = new int[5, 5];
        for (int seed = 0; seed < 5000; seed++)
        {
            int[] order = new DistributedSampler(5, seed: seed).GetIndices();
            for (int position = 0; position < 5; position++)
                counts[order[position], position]++;
        }

        foreach (int count in counts)
            Assert.InRange(count, 850, 1150);
    }

    [Theory]
    [InlineData(10, 0, 0)]
    [InlineData(10, 3, 3)]
    [InlineData(10, 3, -1)]
    [InlineData(-1, 1, 0)]
    public void Constructor_InvalidArguments_Throw(int length, int world, int rank)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedSampler(length, world, rank));
    }

    [Fact]
    public void GetIndices_EmptyDataSet_IsEmpty()
    {
        Assert.Empty(new DistributedSampler(0, 4, 2).GetIndices());
    }
}
