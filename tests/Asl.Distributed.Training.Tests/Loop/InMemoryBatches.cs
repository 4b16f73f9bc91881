using Asl.Distributed.Training.Loop;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Tests.Loop;

/// <summary>
/// A learnable multi-label problem held in memory: images of 3×4×4 random values, label k present when the image's
/// projection on a fixed direction k is positive. Each epoch is a permutation drawn from (seed, epoch) alone.
/// </summary>
internal sealed class InMemoryBatches : IEpochBatches
{
    private readonly float[] _images;
    private readonly float[] _targets;
    private readonly int _count;
    private readonly int _batchSize;
    private readonly int _seed;
    private readonly HashSet<(int Epoch, int Batch)> _poisoned;

    public InMemoryBatches(int count, int classes, int batchSize, int dataSeed, int orderSeed, IEnumerable<(int, int)>? poisoned = null)
    {
        var random = new Random(dataSeed);
        var directions = Enumerable.Range(0, classes * 48).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        _images = Enumerable.Range(0, count * 48).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        _targets = new float[count * classes];
        for (int n = 0; n < count; n++)
            for (int k = 0; k < classes; k++)
            {
                double dot = 0;
                for (int i = 0; i < 48; i++) dot += _images[n * 48 + i] * directions[k * 48 + i];
                _targets[n * classes + k] = dot > 0.8 ? 1 : 0;
            }
        Classes = classes;
        _count = count;
        _batchSize = batchSize;
        _seed = orderSeed;
        _poisoned = [.. poisoned ?? []];
    }

    public int Classes { get; }

    public int BatchesPerEpoch => (_count + _batchSize - 1) / _batchSize;

    public IEnumerable<(Tensor Images, Tensor Targets)> Epoch(int epoch, CancellationToken cancellationToken)
    {
        var order = Enumerable.Range(0, _count).ToArray();
        new Random(_seed * 1000 + epoch).Shuffle(order);
        for (int b = 0; b < BatchesPerEpoch; b++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rows = order.Skip(b * _batchSize).Take(_batchSize).ToArray();
            var x = rows.SelectMany(r => _images.AsSpan(r * 48, 48).ToArray()).ToArray();
            if (_poisoned.Contains((epoch, b + 1)))
                x[0] = float.NaN;
            var y = rows.SelectMany(r => _targets.AsSpan(r * Classes, Classes).ToArray()).ToArray();
            yield return (torch.tensor(x).reshape(rows.Length, 3, 4, 4), torch.tensor(y).reshape(rows.Length, Classes));
        }
    }

    public static nn.Module<Tensor, Tensor> Mlp(int classes) =>
        nn.Sequential(("flatten", nn.Flatten()), ("fc1", nn.Linear(48, 32)), ("relu", nn.ReLU()), ("fc2", nn.Linear(32, classes)));
}
