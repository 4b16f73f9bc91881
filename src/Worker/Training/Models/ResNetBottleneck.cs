using Asl.Distributed.Training.Interop;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Models;

/// <summary>
/// TorchVision's ResNet <c>Bottleneck</c> (the "v1.5" variant): 1×1, 3×3, 1×1 convolutions with the stride on the
/// 3×3, four times as many output channels as <c>planes</c>.
/// </summary>
public sealed class ResNetBottleneck : nn.Module<Tensor, Tensor>
{
    /// <summary>Output channels per unit of <c>planes</c>.</summary>
    public const int Expansion = 4;

    [ComponentName(Name = "conv1")]
    private readonly Conv2d _conv1;

    [ComponentName(Name = "bn1")]
    private readonly ScalarSafeBatchNorm2d _bn1;

    [ComponentName(Name = "conv2")]
    private readonly Conv2d _conv2;

    [ComponentName(Name = "bn2")]
    private readonly ScalarSafeBatchNorm2d _bn2;

    [ComponentName(Name = "conv3")]
    private readonly Conv2d _conv3;

    [ComponentName(Name = "bn3")]
    private readonly ScalarSafeBatchNorm2d _bn3;

    [ComponentName(Name = "relu")]
    private readonly nn.Module<Tensor, Tensor> _relu;

    [ComponentName(Name = "downsample")]
    private readonly Sequential? _downsample;

    /// <summary>Creates the block; <paramref name="downsample"/> projects the shortcut when shape changes.</summary>
    public ResNetBottleneck(long inplanes, long planes, long stride = 1, Sequential? downsample = null)
        : base(nameof(ResNetBottleneck))
    {
        _conv1 = nn.Conv2d(inplanes, planes, kernel_size: 1, bias: false);
        _bn1 = new ScalarSafeBatchNorm2d(planes);
        _conv2 = nn.Conv2d(planes, planes, kernel_size: 3, stride: stride, padding: 1, bias: false);
        _bn2 = new ScalarSafeBatchNorm2d(planes);
        _conv3 = nn.Conv2d(planes, planes * Expansion, kernel_size: 1, bias: false);
        _bn3 = new ScalarSafeBatchNorm2d(planes * Expansion);
        _relu = nn.ReLU();
        _downsample = downsample;
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var a = _relu.call(_bn1.call(_conv1.call(x)));
        using var b = _relu.call(_bn2.call(_conv2.call(a)));
        using var c = _bn3.call(_conv3.call(b));
        using var identity = _downsample is null ? x.alias() : _downsample.call(x);
        return _relu.call(c.add_(identity, HeldScalars.One)); // a held alpha: see HeldScalars
    }
}
