using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Models;

/// <summary>
/// TResNet's stem: moves each 4×4 pixel block into channels, <c>[B, C, H, W]</c> → <c>[B, 16·C, H/4, W/4]</c>, with
/// the channel order of the official code (block row, block column, then input channel) so checkpoints line up.
/// </summary>
public sealed class SpaceToDepth : nn.Module<Tensor, Tensor>
{
    /// <summary>The block edge in pixels.</summary>
    public const int BlockSize = 4;

    /// <summary>Creates the layer; it has no parameters.</summary>
    public SpaceToDepth()
        : base(nameof(SpaceToDepth))
    {
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 4)
            throw new ArgumentException($"Expected [B, C, H, W] input, got [{string.Join(", ", x.shape)}].", nameof(x));
        long n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        if (h % BlockSize != 0 || w % BlockSize != 0)
            throw new ArgumentException($"Height and width must be multiples of {BlockSize}; got {h}×{w}.", nameof(x));

        using var blocks = x.view(n, c, h / BlockSize, BlockSize, w / BlockSize, BlockSize);
        using var moved = blocks.permute(0, 3, 5, 1, 2, 4).contiguous();
        return moved.view(n, c * BlockSize * BlockSize, h / BlockSize, w / BlockSize);
    }
}
