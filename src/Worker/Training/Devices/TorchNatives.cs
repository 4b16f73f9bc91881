using System.Runtime.InteropServices;

namespace Asl.Distributed.Training.Devices;

/// <summary>
/// Route (b) to CUDA: the libtorch of an installed PyTorch, loaded from its <c>lib</c> folder (named by
/// <see cref="Variable"/>) before the first torch call, so that a node with PyTorch needs no CUDA package. The CUDA
/// library goes first: libtorch disables CUDA for good when CUDA is asked for before it is in the process. Works
/// with a worker built with <c>-p:TorchSharpBackend=external</c> (plain TorchSharp, whose glue library then binds to
/// these libraries by their names); with TorchSharp's CPU natives in the output, those would load instead.
/// </summary>
public static class TorchNatives
{
    /// <summary>The environment variable naming the libtorch folder (for example <c>.../site-packages/torch/lib</c>).</summary>
    public const string Variable = "ASL_LIBTORCH_DIR";

    /// <summary>The libraries loaded from the folder, in order; the CUDA ones only where present.</summary>
    private static readonly (string File, bool Required)[] Libraries =
    [
        ("libc10.so", true),
        ("libc10_cuda.so", false),
        ("libtorch_cpu.so", true),
        ("libtorch_cuda.so", false),
        ("libtorch.so", true),
    ];

    /// <summary>Where this process's libtorch came from, once <see cref="LoadFromEnvironment"/> ran: the folder, or null for the build's own natives.</summary>
    public static string? LoadedFrom { get; private set; }

    /// <summary>
    /// Loads libtorch from the folder <see cref="Variable"/> names, when it is set; returns the files loaded (none when
    /// it is unset). Throws a <see cref="TorchNativesException"/> naming the variable, the folder and the file when a
    /// library is missing or does not load.
    /// </summary>
    public static IReadOnlyList<string> LoadFromEnvironment() =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } folder ? LoadFrom(folder) : [];

    /// <summary>Loads libtorch from <paramref name="folder"/>; see <see cref="LoadFromEnvironment"/>.</summary>
    public static IReadOnlyList<string> LoadFrom(string folder)
    {
        if (!Directory.Exists(folder))
            throw new TorchNativesException($"{Variable} is '{folder}', which is not a folder; allowed: the lib folder of a PyTorch install (the one holding libtorch.so)");
        // Every required library is checked before any is loaded, so that a wrong folder loads nothing.
        foreach (var (file, _) in Libraries.Where(l => l.Required && !File.Exists(Path.Combine(folder, l.File))))
            throw new TorchNativesException($"{Variable} is '{folder}', which has no {file}; allowed: the lib folder of a PyTorch install (libc10.so, libtorch_cpu.so, libtorch.so, and for CUDA libtorch_cuda.so)");
        var loaded = new List<string>();
        foreach (var (file, _) in Libraries)
        {
            string path = Path.Combine(folder, file);
            if (!File.Exists(path))
                continue;
            try
            {
                NativeLibrary.Load(path);
            }
            catch (DllNotFoundException e)
            {
                throw new TorchNativesException($"{Variable}: {path} does not load: {e.Message}", e);
            }
            loaded.Add(path);
        }
        LoadedFrom = Path.GetFullPath(folder);
        return loaded;
    }
}
