using Asl.Distributed.Training.Interop;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Models;

/// <summary>
/// TResNet's basic block (stages 1–2): 3×3 conv-BN-leaky ReLU (blur-pooled when strided), 3×3 conv-BN,
/// squeeze-excitation, residual add, ReLU.
/// </summary>
public sealed class TResNetBasicBlock : nn.Module<Tensor, Tensor>
{
    /// <summary>Output channels per unit of <c>planes</c>.</summary>
    public const int Expansion = 1;

    [ComponentName(Name = "conv1")]
    private readonly ConvNormAct _conv1;

    [ComponentName(Name = "conv2")]
    private readonly ConvNormAct _conv2;

    [ComponentName(Name = "se")]
    private readonly SqueezeExcite? _se;

    [ComponentName(Name = "downsample")]
    private readonly Sequential? _downsample;

    /// <summary>Creates the block; the official code's block slope is 1e-3, not the stem's 1e-2.</summary>
    public TResNetBasicBlock(long inplanes, long planes, long stride, Sequential? downsample, bool useSe)
        : base(nameof(TResNetBasicBlock))
    {
        _conv1 = new ConvNormAct(inplanes, planes, kernelSize: 3, stride: stride, negativeSlope: TResNet.BlockNegativeSlope, antiAlias: true);
        _conv2 = new ConvNormAct(planes, planes, kernelSize: 3, negativeSlope: null);
        _se = useSe ? new SqueezeExcite(planes * Expansion, Math.Max(planes * Expansion / 4, 64)) : null;
        _downsample = downsample;
        RegisterComponents();
    }

    /// <summary>The last batch norm of the residual branch.</summary>
    public ScalarSafeBatchNorm2d ResidualNorm => _conv2.Norm;

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = _conv2.call(_conv1.call(x));
        if (_se is not null)
            y = _se.call(y);
        var shortcut = _downsample is null ? x : _downsample.call(x);
        return y.add_(shortcut, HeldScalars.One).relu_().MoveToOuterDisposeScope(); // a held alpha: see HeldScalars
    }
}
