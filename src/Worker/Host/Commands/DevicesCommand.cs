using System.CommandLine;
using Asl.Distributed.Training.Devices;

namespace Asl.Distributed.Worker.Commands;

/// <summary>
/// <c>asl-worker devices</c>: what this worker can train on: the TorchSharp and libtorch versions and where libtorch
/// came from, whether CUDA is there, and each device with its name, memory and bfloat16 support (what the agent
/// registers with the coordinator).
/// </summary>
internal static class DevicesCommand
{
    public static Command Create(TextWriter output)
    {
        var command = new Command("devices", "Print what this worker can train on: libtorch, CUDA, and each device with its name, memory and bfloat16 support.");
        command.SetAction(_ =>
        {
            foreach (string line in DeviceInventory.Read().Lines())
                output.WriteLine(line);
            return 0;
        });
        return command;
    }
}
