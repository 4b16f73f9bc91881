using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Training.Devices;

namespace Asl.Distributed.Worker.Agent;

/// <summary>What an agent registers as its device: the one it trains on, resolved here, with its name from the device inventory.</summary>
internal static class AgentDevice
{
    /// <summary>The longest device text the coordinator accepts.</summary>
    private const int MaxLength = 64;

    /// <summary>
    /// <c>cuda:0 NVIDIA H100 80GB HBM3</c> or <c>cpu 16 cores, ...</c> for <paramref name="device"/> (auto when null);
    /// throws a <see cref="Configuration.ConfigException"/> on run.device when a CUDA device cannot be had.
    /// </summary>
    public static string Describe(ComputeDevice? device)
    {
        var resolved = DeviceResolver.ForThisProcess(device ?? ComputeDevice.Auto, 0);
        var inventory = DeviceInventory.Read();
        string text = inventory.Devices.FirstOrDefault(d => d.Name == resolved.ToString()) is { } found ? $"{found.Name} {found.Description}" : resolved.ToString();
        return text.Length <= MaxLength ? text : text[..MaxLength];
    }
}
