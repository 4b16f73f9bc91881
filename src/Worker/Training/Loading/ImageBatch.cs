using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Loading;

/// <summary>
/// One batch from a <see cref="MultiLabelLoader"/>: B images as float pixels [B, 3, S, S] (CHW per image,
/// row-major), their multi-hot targets [B, K] and their data-set indices.
/// Ownership: the arrays belong to the loader and are reused. A batch is valid until the consumer asks for the next
/// one (the enumerator's next MoveNext) or the enumeration ends; copy what must outlive that. <see cref="ToTensors"/>
/// returns new tensors that own a copy and belong to the caller (dispose them, or create them inside a dispose scope).
/// </summary>
public sealed class ImageBatch
{
    private readonly float[] _pixels;
    private readonly float[] _targets;
    private readonly int[] _sampleIndices;

    internal ImageBatch(int capacity, int imageSize, int classCount)
    {
        Capacity = capacity;
        ImageSize = imageSize;
        ClassCount = classCount;
        _pixels = new float[(long)capacity * PixelsPerImage <= Array.MaxLength
            ? capacity * PixelsPerImage
            : throw new ArgumentOutOfRangeException(nameof(capacity), "A batch of this size and resolution does not fit in one array.")];
        _targets = new float[capacity * classCount];
        _sampleIndices = new int[capacity];
    }

    /// <summary>
    /// The batch's position in the epoch (0-based). A batch that lost every sample to skips is not delivered, so
    /// numbers can jump.
    /// </summary>
    public int BatchNumber { get; internal set; }

    /// <summary>B, the number of samples (at most the batch size; fewer in the last batch or after skips).</summary>
    public int Count { get; internal set; }

    /// <summary>S, the image side.</summary>
    public int ImageSize { get; }

    /// <summary>K, the number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>3 · S · S, the floats per image.</summary>
    public int PixelsPerImage => 3 * ImageSize * ImageSize;

    /// <summary>B · 3 · S · S pixel values: image b channel c row y column x at ((b · 3 + c) · S + y) · S + x.</summary>
    public ReadOnlySpan<float> Pixels => _pixels.AsSpan(0, Count * PixelsPerImage);

    /// <summary>B · K targets, row b being sample b's multi-hot vector.</summary>
    public ReadOnlySpan<float> Targets => _targets.AsSpan(0, Count * ClassCount);

    /// <summary>The data-set index of each sample, in batch order.</summary>
    public ReadOnlySpan<int> SampleIndices => _sampleIndices.AsSpan(0, Count);

    internal int Capacity { get; }

    /// <summary>
    /// New CPU float32 tensors: pixels [B, 3, S, S] and targets [B, K], filled with one span copy each. The caller owns
    /// them.
    /// </summary>
    public (Tensor Pixels, Tensor Targets) ToTensors()
    {
        var pixels = empty([Count, 3, ImageSize, ImageSize], ScalarType.Float32);
        var targets = empty([Count, ClassCount], ScalarType.Float32);
        Pixels.CopyTo(MemoryMarshal.Cast<byte, float>(pixels.bytes));
        Targets.CopyTo(MemoryMarshal.Cast<byte, float>(targets.bytes));
        return (pixels, targets);
    }

    internal Span<float> PixelRow(int row) => _pixels.AsSpan(row * PixelsPerImage, PixelsPerImage);

    internal Span<float> TargetRow(int row) => _targets.AsSpan(row * ClassCount, ClassCount);

    internal void SetSampleIndex(int row, int sampleIndex) => _sampleIndices[row] = sampleIndex;

    /// <summary>Moves row <paramref name="from"/> to row <paramref name="to"/> (to &lt; from), closing a gap left by a skipped sample.</summary>
    internal void MoveRow(int from, int to)
    {
        PixelRow(from).CopyTo(PixelRow(to));
        TargetRow(from).CopyTo(TargetRow(to));
        _sampleIndices[to] = _sampleIndices[from];
    }
}
