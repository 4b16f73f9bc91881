using System.Globalization;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Devices;

/// <summary>A resolved device: the CPU or one CUDA device by index. <see cref="Torch"/> is the torch device for it.</summary>
public sealed record TrainingDevice
{
    private TrainingDevice(int? cudaIndex) => CudaIndex = cudaIndex;

    public static TrainingDevice Cpu { get; } = new((int?)null);

    /// <summary>The CUDA device index; null for the CPU.</summary>
    public int? CudaIndex { get; }

    public bool IsCuda => CudaIndex is not null;

    /// <summary>CUDA device <paramref name="index"/>.</summary>
    public static TrainingDevice Cuda(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return new TrainingDevice(index);
    }

    /// <summary>The torch device (created on each call: TorchSharp's <see cref="Device"/> is a plain object).</summary>
    public Device Torch => CudaIndex is { } i ? new Device(TorchSharp.DeviceType.CUDA, i) : CPU;

    /// <summary><c>cpu</c> or <c>cuda:N</c>.</summary>
    public override string ToString() => CudaIndex is { } i ? "cuda:" + i.ToString(CultureInfo.InvariantCulture) : "cpu";
}
