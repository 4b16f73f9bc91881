using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Training.Devices;

namespace Asl.Distributed.Worker.Agent;

/// <summary>
/// What an agent registers about its device: the one it trains on, resolved here, as the device inventory describes it
/// (name, product, memory, bfloat16), and the versions it trains with (TorchSharp, libtorch, CUDA).
/// </summary>
internal static class AgentDevice
{
    /// <summary>The longest device text the coordinator accepts.</summary>
    private const int MaxLength = 64;

    /// <summary>The longest runtime text the coordinator accepts.</summary>
    private const int MaxRuntimeLength = 256;

    /// <summary>
    /// <c>cuda:0: NVIDIA H100 80GB HBM3, 81559 MiB, bfloat16 yes</c> or <c>cpu: 16 cores, ...</c> for
    /// <paramref name="device"/> (auto when null), and the inventory's runtime line; throws a
    /// <see cref="Configuration.ConfigException"/> on run.device when a CUDA device cannot be had.
    /// </summary>
    public static (string Device, string Runtime) Describe(ComputeDevice? device)
    {
        var resolved = DeviceResolver.ForThisProcess(device ?? ComputeDevice.Auto, 0);
        var inventory = DeviceInventory.Read();
        string text = inventory.Devices.FirstOrDefault(d => d.Name == resolved.ToString()) is { } found ? found.ToString() : resolved.ToString();
        return (Cut(text, MaxLength), Cut(inventory.Runtime, MaxRuntimeLength));
    }

    private static string Cut(string text, int length) => text.Length <= length ? text : text[..length];
}
