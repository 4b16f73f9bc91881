using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Models;

/// <summary>
/// Anti-aliased downsampling (Zhang 2019) as in TResNet: reflect-pad by one, then a fixed depthwise 3×3 binomial
/// blur <c>[1,2,1]⊗[1,2,1]/16</c> with stride 2. The filter is a non-persistent buffer, as in timm, so it is not
/// part of the state dict but follows the module across devices and dtypes.
/// </summary>
public sealed class BlurPool2d : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "filt")]
    private readonly Tensor _filt;

    private readonly long _channels;

    /// <summary>Creates the layer for inputs with <paramref name="channels"/> channels.</summary>
    public BlurPool2d(long channels)
        : base(nameof(BlurPool2d))
    {
        _channels = channels;
        using var taps = tensor(new float[] { 1, 2, 1 });
        using var sixteen = 16f.ToScalar(); // referenced until the constructor ends, so no finalizer frees it mid-call
        using var outer = taps.outer(taps).div_(sixteen);
        _filt = outer.expand(channels, 1, 3, 3).contiguous().DetachFromDisposeScope();
        register_buffer("filt", _filt, persistent: false);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var padded = nn.functional.pad(x, [1, 1, 1, 1], PaddingModes.Reflect);
        if (_filt.dtype == x.dtype && _filt.device == x.device)
            return nn.functional.conv2d(padded, _filt, strides: [2, 2], groups: _channels);
        using var filter = _filt.to(x.dtype, x.device);
        return nn.functional.conv2d(padded, filter, strides: [2, 2], groups: _channels);
    }
}
