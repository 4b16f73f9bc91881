namespace Asl.Distributed.Configuration.Training;

/// <summary>Where training runs, before a CUDA device index is chosen (see <see cref="ComputeDevice"/>).</summary>
public enum DeviceKind
{
    /// <summary>A CUDA device when one is usable, else the CPU.</summary>
    Auto,
    /// <summary>The CPU.</summary>
    Cpu,
    /// <summary>A CUDA device: the given index, or the process's default device (index 0, or the rank's on one host).</summary>
    Cuda,
}
