using Asl.Distributed.Training.Interop;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Models;

/// <summary>
/// TResNet's bottleneck (stages 3–4): 1×1 and 3×3 conv-BN-leaky ReLU (the 3×3 blur-pooled when strided),
/// squeeze-excitation on the narrow width, 1×1 conv-BN to four times the width, residual add, ReLU.
/// </summary>
public sealed class TResNetBottleneck : nn.Module<Tensor, Tensor>
{
    /// <summary>Output channels per unit of <c>planes</c>.</summary>
    public const int Expansion = 4;

    [ComponentName(Name = "conv1")]
    private readonly ConvNormAct _conv1;

    [ComponentName(Name = "conv2")]
    private readonly ConvNormAct _conv2;

    [ComponentName(Name = "se")]
    private readonly SqueezeExcite? _se;

    [ComponentName(Name = "conv3")]
    private readonly ConvNormAct _conv3;

    [ComponentName(Name = "downsample")]
    private readonly Sequential? _downsample;

    /// <summary>Creates the block.</summary>
    public TResNetBottleneck(long inplanes, long planes, long stride, Sequential? downsample, bool useSe)
        : base(nameof(TResNetBottleneck))
    {
        _conv1 = new ConvNormAct(inplanes, planes, kernelSize: 1, negativeSlope: TResNet.BlockNegativeSlope);
        _conv2 = new ConvNormAct(planes, planes, kernelSize: 3, stride: stride, negativeSlope: TResNet.BlockNegativeSlope, antiAlias: true);
        _se = useSe ? new SqueezeExcite(planes, Math.Max(planes * Expansion / 8, 64)) : null;
        _conv3 = new ConvNormAct(planes, planes * Expansion, kernelSize: 1, negativeSlope: null);
        _downsample = downsample;
        RegisterComponents();
    }

    /// <summary>The last batch norm of the residual branch.</summary>
    public ScalarSafeBatchNorm2d ResidualNorm => _conv3.Norm;

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = _conv2.call(_conv1.call(x));
        if (_se is not null)
            y = _se.call(y);
        y = _conv3.call(y);
        var shortcut = _downsample is null ? x : _downsample.call(x);
        return y.add_(shortcut, HeldScalars.One).relu_().MoveToOuterDisposeScope(); // a held alpha: see HeldScalars
    }
}
