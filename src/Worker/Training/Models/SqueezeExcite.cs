using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Models;

/// <summary>
/// Squeeze-and-excitation (Hu et al. 2018) as TResNet uses it: global average, 1×1 conv to
/// <c>reductionChannels</c>, ReLU, 1×1 conv back, sigmoid gate. Keys <c>fc1</c>/<c>fc2</c> as in both the official
/// code and timm.
/// </summary>
public sealed class SqueezeExcite : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "fc1")]
    private readonly Conv2d _fc1;

    [ComponentName(Name = "fc2")]
    private readonly Conv2d _fc2;

    /// <summary>Creates the block.</summary>
    public SqueezeExcite(long channels, long reductionChannels)
        : base(nameof(SqueezeExcite))
    {
        _fc1 = nn.Conv2d(channels, reductionChannels, kernel_size: 1, bias: true);
        _fc2 = nn.Conv2d(reductionChannels, channels, kernel_size: 1, bias: true);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var squeezed = x.mean([2, 3], keepdim: true);
        using var reduced = _fc1.call(squeezed).relu_();
        using var gate = _fc2.call(reduced).sigmoid_();
        return x.mul(gate);
    }
}
