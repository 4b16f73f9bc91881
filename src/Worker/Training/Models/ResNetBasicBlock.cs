using Asl.Distributed.Training.Interop;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Models;

/// <summary>TorchVision's ResNet <c>BasicBlock</c>: two 3×3 convolutions with batch norm and an identity or projected shortcut.</summary>
public sealed class ResNetBasicBlock : nn.Module<Tensor, Tensor>
{
    /// <summary>Output channels per unit of <c>planes</c>.</summary>
    public const int Expansion = 1;

    [ComponentName(Name = "conv1")]
    private readonly Conv2d _conv1;

    [ComponentName(Name = "bn1")]
    private readonly ScalarSafeBatchNorm2d _bn1;

    [ComponentName(Name = "relu")]
    private readonly nn.Module<Tensor, Tensor> _relu;

    [ComponentName(Name = "conv2")]
    private readonly Conv2d _conv2;

    [ComponentName(Name = "bn2")]
    private readonly ScalarSafeBatchNorm2d _bn2;

    [ComponentName(Name = "downsample")]
    private readonly Sequential? _downsample;

    /// <summary>Creates the block; <paramref name="downsample"/> projects the shortcut when shape changes.</summary>
    public ResNetBasicBlock(long inplanes, long planes, long stride = 1, Sequential? downsample = null)
        : base(nameof(ResNetBasicBlock))
    {
        _conv1 = nn.Conv2d(inplanes, planes, kernel_size: 3, stride: stride, padding: 1, bias: false);
        _bn1 = new ScalarSafeBatchNorm2d(planes);
        _relu = nn.ReLU();
        _conv2 = nn.Conv2d(planes, planes, kernel_size: 3, stride: 1, padding: 1, bias: false);
        _bn2 = new ScalarSafeBatchNorm2d(planes);
        _downsample = downsample;
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var a = _relu.call(_bn1.call(_conv1.call(x)));
        using var b = _bn2.call(_conv2.call(a));
        using var identity = _downsample is null ? x.alias() : _downsample.call(x);
        return _relu.call(b.add_(identity, HeldScalars.One)); // a held alpha: see HeldScalars
    }
}
