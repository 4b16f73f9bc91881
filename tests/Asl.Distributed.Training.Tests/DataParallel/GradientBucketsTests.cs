using Asl.Distributed.Training.Collectives;
using Asl.Distributed.Training.DataParallel;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Tests.DataParallel;

/// <summary><see cref="GradientBuckets"/> and <see cref="ModelSync"/> on small models over an in-process ring.</summary>
[Collection(Loop.GlobalTorchRandomCollection.Name)]
public sealed class GradientBucketsTests
{
    /// <summary>
    /// Only guards against a hang (a rank waiting for ever): TorchSharp on a loaded two-core machine may take many times
    /// its quiet-machine time, and no test here passes or fails by how long the ranks took.
    /// </summary>
    private static readonly TimeSpan HangLimit = TimeSpan.FromMinutes(10);

    [Fact]
    public void Constructor_BucketsFollowReverseRegistrationOrderWithoutSplittingAParameter()
    {
        using var scope = NewDisposeScope();
        var model = nn.Sequential(("a", nn.Linear(10, 20)), ("b", nn.Linear(20, 30)), ("c", nn.Linear(30, 4)));
        // Parameters in registration order: a.weight 200, a.bias 20, b.weight 600, b.bias 30, c.weight 120, c.bias 4.
        using var buckets = new GradientBuckets(model.parameters(), bucketBytes: 150 * sizeof(float));

        Assert.Equal(974, buckets.Length);
        Assert.Equal([(0, 4 + 120 + 30), (154, 600), (754, 20 + 200)], buckets.Buckets);
        Assert.True(buckets.ViewsIntact);
    }

    [Fact]
    public void Backward_AccumulatesIntoTheFlatBufferAndZeroGradKeepsTheViews()
    {
        using var scope = NewDisposeScope();
        var model = nn.Linear(3, 2);
        using var buckets = new GradientBuckets(model.parameters());
        var optimizer = optim.Adam(model.parameters());
        var x = torch.ones(4, 3);

        model.forward(x).sum().backward();
        var expected = model.parameters().Select(p => p.grad!.clone()).ToList();
        optimizer.zero_grad();
        Assert.True(buckets.ViewsIntact, "optimizer.zero_grad() replaced a gradient view");
        Assert.All(model.parameters(), p => Assert.Equal(0, p.grad!.abs().sum().item<float>()));
        model.forward(x).sum().backward();

        Assert.All(model.parameters().Zip(expected), pair => Assert.True(pair.First.grad!.eq(pair.Second).all().item<bool>()));
        model.zero_grad();
        Assert.False(buckets.ViewsIntact);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task AllReduceAsync_SumsEveryRanksGradientsOverTheRing(int world)
    {
        using var scope = NewDisposeScope();
        var ring = new InProcessRing(world);
        var models = Enumerable.Range(0, world).Select(_ => nn.Sequential(("a", nn.Linear(7, 5)), ("b", nn.Linear(5, 3)))).ToArray();
        var buckets = models.Select(m => new GradientBuckets(m.parameters(), bucketBytes: 16 * sizeof(float))).ToArray();
        var groups = Enumerable.Range(0, world).Select(r => new ProcessGroup(ring.Links[r], r, world, chunkLength: 5)).ToArray();
        for (int r = 0; r < world; r++)
            models[r].forward(torch.randn(4, 7)).square().sum().backward();
        var expected = models[0].parameters().Select((_, i) =>
            models.Select(m => m.parameters().ElementAt(i).grad!.to(ScalarType.Float64)).Aggregate((a, b) => a + b)).ToList();

        await Task.WhenAll(Enumerable.Range(0, world).Select(r => Task.Run(() => buckets[r].AllReduceAsync(groups[r], average: false, CancellationToken.None))));

        foreach (var model in models)
        {
            foreach (var (p, sum) in model.parameters().Zip(expected))
                Assert.True(p.grad!.to(ScalarType.Float64).allclose(sum, rtol: 1e-6, atol: 1e-6), "a rank's gradient is not the sum over ranks");
        }
        foreach (var b in buckets)
            b.Dispose();
    }

    /// <summary>
    /// The path GPU gradients take (each bucket copied to a host buffer, reduced there, copied back), run on CPU
    /// tensors: over two steps with different gradients it gives the unstaged all-reduce's result bit for bit on every
    /// rank, whether the buckets go as one pipelined pass or one call at a time without being staged first.
    /// </summary>
    [Theory]
    [InlineData(2, true)]
    [InlineData(3, false)]
    public async Task AllReduceAsync_StagedThroughAHostCopy_GivesTheUnstagedResultBitForBit(int world, bool wholeBuffer)
    {
        using var scope = NewDisposeScope();
        Func<nn.Module> create = () => nn.Sequential(("a", nn.Linear(7, 5)), ("b", nn.Linear(5, 3)));
        var plain = Enumerable.Range(0, world).Select(_ => create()).ToArray();
        var staged = Enumerable.Range(0, world).Select(_ => create()).ToArray();
        using (torch.no_grad())
        {
            for (int r = 0; r < world; r++)
            {
                foreach (var (to, from) in staged[r].parameters().Zip(plain[r].parameters()))
                    to.copy_(from);
            }
        }
        var plainBuckets = plain.Select(m => new GradientBuckets(m.parameters(), bucketBytes: 16 * sizeof(float))).ToArray();
        var stagedBuckets = staged.Select(m => new GradientBuckets(m.parameters(), bucketBytes: 16 * sizeof(float), stageThroughHost: true)).ToArray();
        Assert.All(stagedBuckets, b => Assert.True(b.Staged));
        Assert.All(plainBuckets, b => Assert.False(b.Staged));
        Assert.True(plainBuckets[0].Buckets.Count >= 2, "the test needs several buckets to pipeline");
        var plainRing = new InProcessRing(world);
        var stagedRing = new InProcessRing(world);
        var plainGroups = Enumerable.Range(0, world).Select(r => new ProcessGroup(plainRing.Links[r], r, world, chunkLength: 5)).ToArray();
        var stagedGroups = Enumerable.Range(0, world).Select(r => new ProcessGroup(stagedRing.Links[r], r, world, chunkLength: 5)).ToArray();
        for (int step = 0; step < 2; step++)
        {
            for (int r = 0; r < world; r++)
            {
                var input = torch.randn(4, 7);
                foreach (var model in new[] { plain[r], staged[r] })
                {
                    foreach (var p in model.parameters())
                        p.grad!.zero_();
                    ((nn.Module<Tensor, Tensor>)model).forward(input).square().sum().backward();
                }
            }

            await Task.WhenAll(Enumerable.Range(0, world).SelectMany(r => new[]
            {
                Task.Run(() => plainBuckets[r].AllReduceAsync(plainGroups[r], average: true, CancellationToken.None)),
                Task.Run(async () =>
                {
                    if (wholeBuffer)
                    {
                        await stagedBuckets[r].AllReduceAsync(stagedGroups[r], average: true, CancellationToken.None);
                        return;
                    }
                    for (int bucket = 0; bucket < stagedBuckets[r].Buckets.Count; bucket++)
                        await stagedBuckets[r].AllReduceBucketAsync(stagedGroups[r], bucket, average: true, CancellationToken.None);
                }),
            }));

            for (int r = 0; r < world; r++)
            {
                Assert.True(SameBits(stagedBuckets[r].Buffer, plainBuckets[r].Buffer), $"step {step}, rank {r}: the staged mean differs from the unstaged one");
                Assert.True(SameBits(stagedBuckets[r].Buffer, stagedBuckets[0].Buffer), $"step {step}: rank {r}'s staged mean differs from rank 0's");
                Assert.True(stagedBuckets[r].ViewsIntact);
            }
        }
        foreach (var b in plainBuckets.Concat(stagedBuckets))
            b.Dispose();
    }

    private static bool SameBits(Tensor a, Tensor b) => a.bytes.SequenceEqual(b.bytes);

    [Fact]
    public void BroadcastState_RanksWithDifferentWeightsAndBuffers_AllHoldRankZerosBitForBit()
    {
        using var scope = NewDisposeScope();
        const int world = 3;
        var ring = new InProcessRing(world);
        var models = Enumerable.Range(0, world).Select(_ => nn.Sequential(("conv", nn.Conv2d(3, 4, 3)), ("bn", nn.BatchNorm2d(4)))).ToArray();
        for (int r = 0; r < world; r++)
            models[r].forward(torch.randn(2, 3, 8, 8)); // different running statistics and num_batches_tracked per rank
        models[0].forward(torch.randn(2, 3, 8, 8));
        var groups = Enumerable.Range(0, world).Select(r => new ProcessGroup(ring.Links[r], r, world, chunkLength: 7)).ToArray();
        var expected = models[0].state_dict().ToDictionary(e => e.Key, e => e.Value.clone());

        var threads = Enumerable.Range(0, world).Select(r => new Thread(() => ModelSync.BroadcastState(groups[r], models[r], CancellationToken.None)) { IsBackground = true }).ToArray();
        foreach (var t in threads)
            t.Start();
        foreach (var t in threads)
            Assert.True(t.Join(HangLimit), $"a rank's broadcast did not end within {HangLimit} (a hang)");

        foreach (var model in models)
        {
            foreach (var (name, value) in model.state_dict())
                Assert.True(value.eq(expected[name]).all().item<bool>(), $"{name} differs from rank 0's");
        }
        Assert.Equal(2L, models[2].state_dict()["bn.num_batches_tracked"].item<long>());
    }
}
