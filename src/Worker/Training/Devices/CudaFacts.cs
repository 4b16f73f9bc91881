using TorchSharp;

namespace Asl.Distributed.Training.Devices;

/// <summary>
/// What the loaded libtorch offers for CUDA: whether its CUDA natives are in the process, and how many devices the
/// driver shows. <see cref="Read"/> asks torch; <see cref="DeviceResolver"/> decides from these facts alone.
/// </summary>
/// <param name="NativesLoaded">Whether libtorch's CUDA library is loaded (false with TorchSharp's CPU natives).</param>
/// <param name="DeviceCount">CUDA devices visible to this process (after CUDA_VISIBLE_DEVICES).</param>
public sealed record CudaFacts(bool NativesLoaded, int DeviceCount)
{
    /// <summary>No CUDA at all: the CPU natives.</summary>
    public static CudaFacts None { get; } = new(false, 0);

    /// <summary>Asks the loaded libtorch (loading its CUDA natives when they are there to load).</summary>
    public static CudaFacts Read()
    {
        bool natives = torch.TryInitializeDeviceType(DeviceType.CUDA);
        return new CudaFacts(natives, natives ? torch.cuda.device_count() : 0);
    }
}
