using Asl.Distributed.Training.Interop;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Models;

/// <summary>
/// TResNet's convolution unit: conv (no bias) → batch norm → optional leaky ReLU → optional blur-pool downsampling.
/// Batch norm plus leaky ReLU stands in for the official in-place ABN; keys follow timm (<c>conv</c>, <c>bn</c>).
/// </summary>
public sealed class ConvNormAct : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "conv")]
    private readonly Conv2d _conv;

    [ComponentName(Name = "bn")]
    private readonly ScalarSafeBatchNorm2d _bn;

    [ComponentName(Name = "aa")]
    private readonly BlurPool2d? _aa;

    // A Scalar owned by the module, not made per call: libtorch reads it while no managed code refers to a temporary
    // one, and a finalizer could free that mid-call (see HeldScalars).
    private readonly Scalar? _negativeSlope;

    /// <summary>
    /// Creates the unit. A stride of 2 with <paramref name="antiAlias"/> runs the conv at stride 1 and downsamples
    /// with <see cref="BlurPool2d"/> after the activation; <paramref name="negativeSlope"/> null means no activation.
    /// </summary>
    public ConvNormAct(long inChannels, long outChannels, long kernelSize, long stride = 1, double? negativeSlope = 0.01, bool antiAlias = false)
        : base(nameof(ConvNormAct))
    {
        bool blur = antiAlias && stride > 1;
        _conv = nn.Conv2d(inChannels, outChannels, kernel_size: kernelSize, stride: blur ? 1 : stride, padding: kernelSize / 2, bias: false);
        _bn = new ScalarSafeBatchNorm2d(outChannels);
        _aa = blur ? new BlurPool2d(outChannels) : null;
        _negativeSlope = negativeSlope?.ToScalar();
        RegisterComponents();
    }

    /// <summary>The batch norm, exposed for the zero-initialisation of residual branches.</summary>
    public ScalarSafeBatchNorm2d Norm => _bn;

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = _bn.call(_conv.call(x));
        if (_negativeSlope is { } slope)
            y = y.leaky_relu_(slope);
        if (_aa is not null)
            y = _aa.call(y);
        return y.MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _negativeSlope?.Dispose();
        base.Dispose(disposing);
    }
}
