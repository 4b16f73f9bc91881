using System.Runtime.InteropServices;

namespace Asl.Distributed.Training.Devices;

/// <summary>
/// The NVIDIA Management Library, for each GPU's utilisation and memory in use (TorchSharp 0.107 has no memory
/// statistics): <c>libnvidia-ml.so.1</c>, which the NVIDIA driver installs wherever it is, loaded at run time.
/// <see cref="TryOpen"/> gives null where it is absent (every machine without the driver).
/// </summary>
internal sealed unsafe class Nvml
{
    /// <summary>The library's file name.</summary>
    public const string Library = "libnvidia-ml.so.1";

    private const int Success = 0;

    private readonly delegate* unmanaged<uint, nint*, int> _handleByIndex;
    private readonly delegate* unmanaged<nint, Utilization*, int> _utilization;
    private readonly delegate* unmanaged<nint, Memory*, int> _memory;

    private Nvml(nint library, uint count)
    {
        _handleByIndex = (delegate* unmanaged<uint, nint*, int>)NativeLibrary.GetExport(library, "nvmlDeviceGetHandleByIndex_v2");
        _utilization = (delegate* unmanaged<nint, Utilization*, int>)NativeLibrary.GetExport(library, "nvmlDeviceGetUtilizationRates");
        _memory = (delegate* unmanaged<nint, Memory*, int>)NativeLibrary.GetExport(library, "nvmlDeviceGetMemoryInfo");
        DeviceCount = (int)count;
    }

    /// <summary>The GPUs NVML sees (in its own order, by PCI bus).</summary>
    public int DeviceCount { get; }

    /// <summary>Loads and initialises NVML; null, with <paramref name="why"/>, where that fails.</summary>
    public static Nvml? TryOpen(out string why)
    {
        if (!NativeLibrary.TryLoad(Library, out nint library))
        {
            why = $"{Library} is not there (no NVIDIA driver)";
            return null;
        }
        try
        {
            var init = (delegate* unmanaged<int>)NativeLibrary.GetExport(library, "nvmlInit_v2");
            var count = (delegate* unmanaged<uint*, int>)NativeLibrary.GetExport(library, "nvmlDeviceGetCount_v2");
            int status = init();
            uint devices = 0;
            if (status == Success)
                status = count(&devices);
            if (status != Success)
            {
                why = $"{Library} did not initialise (NVML error {status})";
                return null;
            }
            why = "";
            return new Nvml(library, devices);
        }
        catch (EntryPointNotFoundException e)
        {
            why = $"{Library} lacks {e.Message}";
            return null;
        }
    }

    /// <summary>Device <paramref name="index"/>'s utilisation (0 to 1, over NVML's last sample period) and memory in use, in bytes; null when NVML cannot say.</summary>
    public (double Utilization, long MemoryUsed, long MemoryTotal)? Read(int index)
    {
        nint device;
        if (_handleByIndex((uint)index, &device) != Success)
            return null;
        Utilization utilization;
        Memory memory;
        if (_utilization(device, &utilization) != Success || _memory(device, &memory) != Success)
            return null;
        return (utilization.Gpu / 100.0, (long)memory.Used, (long)memory.Total);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Utilization
    {
        public uint Gpu;
        public uint MemoryBus;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Memory
    {
        public ulong Total;
        public ulong Free;
        public ulong Used;
    }
}
