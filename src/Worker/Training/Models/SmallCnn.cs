using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Models;

/// <summary>
/// A small convolutional classifier for fast tests and the synthetic data set (64–128 px): <c>depth</c> blocks of
/// stride-2 3×3 conv-BN-ReLU doubling the width from <c>width</c>, global average pooling and a linear head
/// <c>fc</c>. Any input size of at least 2^depth pixels works.
/// </summary>
public sealed class SmallCnn : ImageClassifier
{
    [ComponentName(Name = "features")]
    private readonly Sequential _features;

    [ComponentName(Name = "fc")]
    private readonly Linear _fc;

    /// <summary>Creates the network.</summary>
    public SmallCnn(int numClasses, int width = 32, int depth = 4, int inChannels = 3)
        : base("small_cnn", numClasses)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(depth);
        var blocks = new List<nn.Module<Tensor, Tensor>>(depth);
        long channels = inChannels;
        for (int i = 0; i < depth; i++)
        {
            long next = (long)width << i;
            blocks.Add(nn.Sequential(
                nn.Conv2d(channels, next, kernel_size: 3, stride: 2, padding: 1, bias: false),
                new ScalarSafeBatchNorm2d(next),
                nn.ReLU()));
            channels = next;
        }

        _features = nn.Sequential(blocks);
        _fc = nn.Linear(channels, numClasses);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override string HeadName => "fc";

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var pooled = _features.call(x).mean([2, 3]);
        return _fc.call(pooled).MoveToOuterDisposeScope();
    }
}
