using Asl.Distributed.Training.Collectives;
using Asl.Distributed.Training.DataParallel;
using Asl.Distributed.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Tests.DataParallel;

/// <summary>
/// Buckets started during backward hold final gradients: two ranks with the same model and a batch each average their
/// gradients over an in-process ring while backward runs, and must end with the mean of the two one-rank gradients; also
/// with the buckets staged through a host copy as GPU gradients are (each staged as it becomes ready).
/// </summary>
[Collection(Loop.GlobalTorchRandomCollection.Name)]
public sealed class BackwardOverlapTests
{
    /// <summary>
    /// Only guards against a hang (a rank waiting for ever): TorchSharp on a loaded two-core machine may take many times
    /// its quiet-machine time, and no test here passes or fails by how long the ranks took.
    /// </summary>
    private static readonly TimeSpan HangLimit = TimeSpan.FromMinutes(10);

    [Theory]
    [InlineData("mlp", 32, 4096, false)]
    [InlineData("small_cnn", 32, 2048, false)]
    [InlineData("small_cnn", 32, 2048, true)]
    [InlineData("resnet18", 32, 256 * 1024, false)]
    [InlineData("resnet18", 32, 256 * 1024, true)]
    [InlineData("tresnet_m", 64, 1 << 20, false)]
    public void FinishAsync_BucketsStartedDuringBackward_HoldTheFinalGradients(string name, int size, int bucketBytes, bool stageThroughHost)
    {
        using var scope = NewDisposeScope();
        // Each rank its own batch: the expected gradients are the mean of the two one-rank gradients.
        var batches = new[] { Batch(size, seed: 3), Batch(size, seed: 4) };
        var reference = Create(name, size);
        foreach (var (images, targets) in batches)
            reference.forward(images).sigmoid().sub(targets).square().sum().div(2).backward();
        var expected = reference.parameters().Select(p => p.grad!.clone()).ToArray();

        var ring = new InProcessRing(2);
        var results = new Tensor[2][];
        var started = new int[2];
        var threads = Enumerable.Range(0, 2).Select(rank => new Thread(() =>
        {
            using var inner = NewDisposeScope();
            var model = Create(name, size);
            using var buckets = new GradientBuckets(model.parameters(), bucketBytes, stageThroughHost);
            var group = new ProcessGroup(ring.Links[rank], rank, 2, chunkLength: 4096);
            using var overlap = new BackwardOverlap(model, buckets, group, average: true);
            overlap.BeginStep(CancellationToken.None);
            var (images, targets) = batches[rank];
            model.forward(images).sigmoid().sub(targets).square().sum().backward();
            overlap.FinishAsync().GetAwaiter().GetResult();
            started[rank] = overlap.StartedDuringBackward;
            results[rank] = model.parameters().Select(p => p.grad!.clone().DetachFromDisposeScope()).ToArray();
        }) { IsBackground = true }).ToArray();
        foreach (var thread in threads)
            thread.Start();
        foreach (var thread in threads)
            Assert.True(thread.Join(HangLimit), $"{name}: a rank's step did not end within {HangLimit} (a hang)");

        Assert.True(started[0] > 0, "no bucket started before backward returned");
        foreach (var result in results)
        {
            foreach (var (actual, wanted) in result.Zip(expected))
                Assert.True(actual.allclose(wanted, rtol: 1e-5, atol: 1e-7), $"{name}: a gradient reduced during backward differs from the final one");
        }
    }

    private static nn.Module<Tensor, Tensor> Create(string name, int size)
    {
        var model = ModelFactory.Create(name, 5, size);
        var random = new Random(7);
        using var noGrad = torch.no_grad();
        foreach (var p in model.parameters())
            p.copy_(torch.tensor(Enumerable.Range(0, (int)p.numel()).Select(_ => (float)(random.NextDouble() - 0.5) * 0.2f).ToArray()).reshape(p.shape));
        model.train();
        return model;
    }

    private static (Tensor Images, Tensor Targets) Batch(int size, int seed)
    {
        var random = new Random(seed);
        var images = torch.tensor(Enumerable.Range(0, 4 * 3 * size * size).Select(_ => (float)random.NextDouble()).ToArray()).reshape(4, 3, size, size);
        var targets = torch.tensor(Enumerable.Range(0, 4 * 5).Select(i => i % 3 == 0 ? 1f : 0f).ToArray()).reshape(4, 5);
        return (images, targets);
    }
}
