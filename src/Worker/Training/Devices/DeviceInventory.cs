using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Devices;

/// <summary>
/// What a worker can train on, as <c>asl-worker devices</c> prints it and the agent registers it: the TorchSharp and
/// libtorch versions and where libtorch came from, the CPU, and each CUDA device with its name and memory (from
/// nvidia-smi where it is installed: TorchSharp 0.107 exposes neither) and whether it computes in bfloat16.
/// </summary>
/// <param name="TorchSharpVersion">The TorchSharp assembly's version.</param>
/// <param name="LibTorchVersion">The loaded libtorch's version as torch reports it.</param>
/// <param name="NativesSource">The folder libtorch was loaded from, or how the build brought it.</param>
/// <param name="Cuda">The CUDA facts the device setting is resolved against.</param>
/// <param name="CudnnAvailable">Whether cuDNN is usable.</param>
/// <param name="CudaVersions">The CUDA runtime's and the driver's versions, where CUDA is loaded and they can be read.</param>
/// <param name="Devices">The CPU first, then every CUDA device.</param>
public sealed record DeviceInventory(string TorchSharpVersion, string LibTorchVersion, string NativesSource, CudaFacts Cuda, bool CudnnAvailable,
    string? CudaVersions, IReadOnlyList<DeviceDescription> Devices)
{
    /// <summary>Looks at the loaded libtorch and the CUDA devices (a bfloat16 product is tried on each).</summary>
    public static DeviceInventory Read()
    {
        var cuda = CudaFacts.Read();
        var smi = NvidiaSmi.Query();
        var devices = new List<DeviceDescription> { new("cpu", $"{Environment.ProcessorCount} cores, {torch.get_num_threads()} torch threads", null, ComputesBFloat16(TrainingDevice.Cpu)) };
        for (int i = 0; i < cuda.DeviceCount; i++)
        {
            var device = TrainingDevice.Cuda(i);
            var (name, memory) = smi.TryGetValue(i, out var found) ? found : ("(name not exposed by TorchSharp; nvidia-smi not found)", (long?)null);
            devices.Add(new DeviceDescription(device.ToString(), name, memory, ComputesBFloat16(device)));
        }
        string source = TorchNatives.LoadedFrom is { } folder ? $"{TorchNatives.Variable}={folder}" : "the natives packaged with this build";
        return new DeviceInventory(typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown", torch.__version__, source, cuda,
            cuda.NativesLoaded && torch.cuda.is_cudnn_available(), cuda.NativesLoaded ? CudaRuntime.Versions() : null, devices);
    }

    /// <summary>The inventory as lines of text.</summary>
    public IEnumerable<string> Lines()
    {
        yield return $"TorchSharp {TorchSharpVersion}, libtorch {LibTorchVersion} ({NativesSource})";
        yield return CudaLine;
        foreach (var device in Devices)
            yield return device.ToString();
    }

    /// <summary>What CUDA offers, in one line.</summary>
    public string CudaLine => Cuda.NativesLoaded
        ? string.Create(CultureInfo.InvariantCulture, $"CUDA: natives loaded, {CudaVersions ?? "CUDA runtime version unknown"}, {Cuda.DeviceCount} device(s), cuDNN {(CudnnAvailable ? "available" : "not available")}")
        : "CUDA: not available (the loaded libtorch has no CUDA support)";

    /// <summary>
    /// The versions in one line, as an agent registers them with the coordinator: "TorchSharp 0.107.0.0, libtorch
    /// 2.10.0+cu130, CUDA runtime 13.0, driver 13.0" (or "no CUDA").
    /// </summary>
    public string Runtime => $"TorchSharp {TorchSharpVersion}, libtorch {LibTorchVersion}, {(Cuda.NativesLoaded ? CudaVersions ?? "CUDA version unknown" : "no CUDA")}";

    private static bool ComputesBFloat16(TrainingDevice device)
    {
        try
        {
            using var scope = torch.NewDisposeScope();
            var a = torch.ones([8, 8], ScalarType.BFloat16, device.Torch);
            return a.matmul(a).to(ScalarType.Float32).sum().item<float>() == 512f;
        }
        catch (Exception e) when (e is System.Runtime.InteropServices.ExternalException or NotSupportedException or InvalidOperationException)
        {
            return false;
        }
    }
}
