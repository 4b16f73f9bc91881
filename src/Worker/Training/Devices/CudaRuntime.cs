using System.Globalization;
using System.Runtime.InteropServices;

namespace Asl.Distributed.Training.Devices;

/// <summary>
/// The CUDA runtime and driver versions of this process, which TorchSharp 0.107 does not expose: read from the CUDA
/// runtime library libtorch loaded (found in <c>/proc/self/maps</c>) through its <c>cudaRuntimeGetVersion</c> and
/// <c>cudaDriverGetVersion</c>. Null where no CUDA runtime is loaded (TorchSharp's CPU natives) or it cannot be asked.
/// </summary>
internal static unsafe class CudaRuntime
{
    /// <summary>"CUDA runtime 13.0, driver 13.0", or null.</summary>
    public static string? Versions()
    {
        try
        {
            string? library = LoadedLibrary("libcudart");
            if (library is null)
                return null;
            nint handle = NativeLibrary.Load(library);
            int runtime = Ask(handle, "cudaRuntimeGetVersion"), driver = Ask(handle, "cudaDriverGetVersion");
            return runtime < 0 ? null : $"CUDA runtime {Version(runtime)}, driver {(driver < 0 ? "unknown" : Version(driver))}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>CUDA's encoding: 1000 · major + 10 · minor.</summary>
    internal static string Version(int encoded) => string.Create(CultureInfo.InvariantCulture, $"{encoded / 1000}.{encoded % 1000 / 10}");

    /// <summary>The path of a library whose file name starts with <paramref name="prefix"/> that this process has mapped.</summary>
    private static string? LoadedLibrary(string prefix)
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps))
            return null;
        foreach (string line in File.ReadLines(maps))
        {
            int slash = line.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0)
                continue;
            string path = line[slash..];
            if (Path.GetFileName(path).StartsWith(prefix + ".so", StringComparison.Ordinal) || Path.GetFileName(path).StartsWith(prefix + "-", StringComparison.Ordinal))
                return path;
        }
        return null;
    }

    /// <summary>Calls <c>cudaError_t f(int*)</c>; −1 when the export is missing or the call fails.</summary>
    private static int Ask(nint library, string export)
    {
        if (!NativeLibrary.TryGetExport(library, export, out nint function))
            return -1;
        int value = 0;
        int error = ((delegate* unmanaged<int*, int>)function)(&value);
        return error == 0 ? value : -1;
    }
}
