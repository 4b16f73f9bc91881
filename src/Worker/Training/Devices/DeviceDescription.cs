using System.Globalization;

namespace Asl.Distributed.Training.Devices;

/// <summary>One device of a <see cref="DeviceInventory"/>.</summary>
/// <param name="Name">cpu or cuda:N.</param>
/// <param name="Description">The product name (or the CPU's cores and threads).</param>
/// <param name="MemoryMiB">Device memory in MiB, when known.</param>
/// <param name="BFloat16">Whether a bfloat16 matrix product ran on it.</param>
public sealed record DeviceDescription(string Name, string Description, long? MemoryMiB, bool BFloat16)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Name}: {Description}{(MemoryMiB is { } m ? $", {m} MiB" : "")}, bfloat16 {(BFloat16 ? "yes" : "no")}");
}
