using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Models;

/// <summary>
/// An image classifier: takes <c>[B, 3, H, W]</c> float images and returns logits <c>[B, K]</c>. Names the module
/// path of its classification head so that weight loaders can leave the head out when the class count differs.
/// </summary>
public abstract class ImageClassifier : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the classifier; derived constructors register their components.</summary>
    protected ImageClassifier(string name, int numClasses)
        : base(name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numClasses);
        NumClasses = numClasses;
    }

    /// <summary>Number of output logits K.</summary>
    public int NumClasses { get; }

    /// <summary>The state-dict path of the final linear layer, e.g. <c>fc</c> or <c>head.fc</c>.</summary>
    public abstract string HeadName { get; }

    /// <summary>The state-dict keys of the head's parameters (its weight and bias).</summary>
    public IReadOnlyList<string> HeadParameterNames => [$"{HeadName}.weight", $"{HeadName}.bias"];

    /// <summary>Number of trainable parameters (the published "parameter count"; buffers excluded).</summary>
    public long ParameterCount() => parameters().Sum(p => p.numel());
}
