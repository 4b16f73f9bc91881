using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Models;

/// <summary>
/// A two-layer perceptron over the flattened image, for unit tests: flatten → <c>hidden</c> (linear, ReLU) →
/// head <c>fc</c>. The input size is fixed at construction.
/// </summary>
public sealed class Mlp : ImageClassifier
{
    [ComponentName(Name = "hidden")]
    private readonly Linear _hidden;

    [ComponentName(Name = "fc")]
    private readonly Linear _fc;

    /// <summary>Creates the network for images of <paramref name="inChannels"/>×<paramref name="imageSize"/>².</summary>
    public Mlp(int numClasses, int imageSize, int hiddenSize = 256, int inChannels = 3)
        : base("mlp", numClasses)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        InputFeatures = (long)inChannels * imageSize * imageSize;
        _hidden = nn.Linear(InputFeatures, hiddenSize);
        _fc = nn.Linear(hiddenSize, numClasses);
        RegisterComponents();
    }

    /// <summary>Number of values in one flattened input image.</summary>
    public long InputFeatures { get; }

    /// <inheritdoc/>
    public override string HeadName => "fc";

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var flat = x.flatten(1);
        if (flat.shape[1] != InputFeatures)
        {
            throw new ArgumentException(
                $"The MLP was built for {InputFeatures} input values per image; got [{string.Join(", ", x.shape)}].", nameof(x));
        }

        return _fc.call(_hidden.call(flat).relu_()).MoveToOuterDisposeScope();
    }
}
