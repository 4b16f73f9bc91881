using Asl.Distributed.Training.Collectives;
using Asl.Distributed.Training.DataParallel;
using TorchSharp;
using static TorchSharp.torch;
using SafeAdam = Asl.Distributed.Training.Optimizers.Adam;
using TorchSharpAdam = TorchSharp.Modules.Adam;

namespace Asl.Distributed.Training.Tests.Optimizers;

/// <summary>
/// The flat step with data-parallel gradients: <see cref="GradientBuckets"/> adopts the flat optimizer's gradient buffer
/// and <see cref="BackwardOverlap"/> reduces its buckets during backward. Two ranks over an in-process ring must end
/// bit for bit where two ranks with TorchSharp's Adam and the per-parameter bucket layout end (two ranks: each sum has
/// two terms, so the order of the reduction cannot change a bit).
/// </summary>
public sealed class FlatAdamDataParallelTests
{
    private const int Size = 16;
    private const int Steps = 3;

    /// <summary>Only guards against a hang; no test here passes or fails by how long the ranks took.</summary>
    private static readonly TimeSpan HangLimit = TimeSpan.FromMinutes(10);

    [Fact]
    public void Step_FlatBucketsWithOverlapOnTwoRanks_BitwiseEqualToTorchSharpAdamOnTheirOwnBuckets()
    {
        using var scope = NewDisposeScope();
        var flat = Run(flat: true);
        var perParameter = Run(flat: false);

        Assert.True(flat[0].StartedDuringBackward > 0, "no bucket of the flat layout started during backward");
        FlatAdamModels.AssertSameBits(flat[0].Model, flat[0].Adam, flat[1].Model, flat[1].Adam, "flat rank 1 against rank 0",
            buffers: false); // BatchNorm statistics follow each rank's own shard; the trainer broadcasts them before validating
        FlatAdamModels.AssertSameBits(perParameter[0].Model, perParameter[0].Adam, flat[0].Model, flat[0].Adam, "flat against per-parameter");
        Assert.All(flat[0].Adam.state_dict().State.Cast<TorchSharpAdam.State>(), s => Assert.Equal(Steps, s.step));
    }

    [Fact]
    public void Constructor_BucketsOverTheFlatLayout_ShareItsGradientBufferGroupByGroup()
    {
        using var scope = NewDisposeScope();
        var model = nn.Sequential(("a", nn.Linear(10, 20)), ("b", nn.Linear(20, 30)), ("c", nn.Linear(30, 4)));
        var adam = new SafeAdam(FlatAdamModels.Groups(model, 1e-2), flat: true);

        using var buckets = new GradientBuckets(adam.Flat!, bucketBytes: 150 * sizeof(float));

        // Weights c 120, b 600, a 200 (the decay group), then biases c 4, b 30, a 20; a bucket closes at 150 floats or more.
        Assert.Equal([(0, 120 + 600), (720, 200), (920, 4 + 30 + 20)], buckets.Buckets);
        Assert.Equal(TensorMemory.Address(adam.Flat!.Grad), TensorMemory.Address(buckets.Buffer));
        Assert.True(buckets.ViewsIntact);
        Assert.Equal(1, buckets.BucketOf(model.named_parameters().Single(p => p.name == "a.weight").parameter));
    }

    private static RankResult[] Run(bool flat)
    {
        var ring = new InProcessRing(2);
        var results = new RankResult[2];
        var models = Enumerable.Range(0, 2).Select(_ => FlatAdamModels.Create("small_cnn", Size)).ToArray();
        var adams = models.Select(m => flat
            ? new SafeAdam(FlatAdamModels.Groups(m, 1e-2), flat: true)
            : torch.optim.Adam(FlatAdamModels.Groups(m, 1e-2))).ToArray();
        var threads = Enumerable.Range(0, 2).Select(rank => new Thread(() =>
        {
            var (model, adam) = (models[rank], adams[rank]);
            using var buckets = adam is SafeAdam { Flat: { } layout }
                ? new GradientBuckets(layout, bucketBytes: 16 * 1024)
                : new GradientBuckets(model.parameters(), bucketBytes: 16 * 1024);
            var group = new ProcessGroup(ring.Links[rank], rank, 2, chunkLength: 4096);
            using var overlap = new BackwardOverlap(model, buckets, group, average: true);
            int started = 0;
            for (int step = 0; step < Steps; step++)
            {
                using var stepScope = NewDisposeScope();
                // Each rank its own shard of the global batch.
                var (images, targets) = FlatAdamModels.Batch(Size, 10 * step + rank);
                FlatAdamModels.Schedule(adam, step);
                adam.zero_grad();
                overlap.BeginStep(CancellationToken.None);
                FlatAdamModels.Loss(model, images, targets).backward();
                overlap.FinishAsync().GetAwaiter().GetResult();
                started += overlap.StartedDuringBackward;
                adam.step();
            }
            results[rank] = new RankResult(model, adam, started);
        }) { IsBackground = true }).ToArray();
        foreach (var thread in threads)
            thread.Start();
        foreach (var thread in threads)
            Assert.True(thread.Join(HangLimit), $"a rank did not finish {Steps} steps within {HangLimit} (a hang)");
        Assert.All(results, r => Assert.NotNull(r));
        return results;
    }

    private sealed record RankResult(nn.Module<Tensor, Tensor> Model, TorchSharpAdam Adam, int StartedDuringBackward);
}
