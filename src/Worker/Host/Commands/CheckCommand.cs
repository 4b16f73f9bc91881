using System.CommandLine;
using Asl.Distributed.Configuration;
using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Runs;
using Asl.Distributed.Training.Devices;

namespace Asl.Distributed.Worker.Commands;

/// <summary>
/// <c>asl-worker check --device D</c>: the device checks (<see cref="DeviceCheck"/>) with one line each; exits 0 when
/// none failed, 1 when one did, 2 when the device cannot be had (named as run.device's error names it).
/// </summary>
internal static class CheckCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var device = new Option<string>("--device")
        {
            Description = $"The device to check: {ComputeDevice.Allowed}.",
            HelpName = "DEVICE",
            DefaultValueFactory = _ => "auto",
        };
        device.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && !ComputeDevice.TryParse(result.Tokens[0].Value, out _))
                result.AddError($"--device '{result.Tokens[0].Value}' is not a device; allowed: {ComputeDevice.Allowed}");
        });
        var speed = new Option<bool>("--speed")
        {
            Description = "Also time a ResNet-50 training step in float32 and bfloat16 and the loss at (256, 9605) (the figures build/device/torch_reference.py measures for PyTorch), " +
                "and the all-reduce of two ranks over loopback sockets: on a GPU through pinned host buffers, beside the same on the CPU.",
        };
        var batch = new Option<int>("--speed-batch") { Description = "Images per timed step.", HelpName = "N", DefaultValueFactory = _ => 64 };
        var size = new Option<int>("--speed-size") { Description = "Image size of the timed steps, in pixels.", HelpName = "PX", DefaultValueFactory = _ => 224 };
        var steps = new Option<int>("--speed-steps") { Description = "Timed steps after 5 warm-up steps.", HelpName = "N", DefaultValueFactory = _ => 20 };
        var ringMib = new Option<int>("--speed-ring-mib")
        {
            Description = "Gradient MiB of the timed two-rank ring (25 MiB buckets; ResNet-50's gradients are about 98 MiB).", HelpName = "MIB", DefaultValueFactory = _ => 100,
        };
        foreach (var option in new[] { batch, size, steps, ringMib })
        {
            option.Validators.Add(result =>
            {
                if (result.GetValueOrDefault<int>() < 1)
                    result.AddError($"{result.Option.Name} '{result.GetValueOrDefault<int>()}' is out of range; allowed: an integer >= 1");
            });
        }
        var command = new Command("check", "Check a device before training on it: placement, the loss and its gradient against float64, the float16 loss scaler " +
            "on a real overflow, training steps against the CPU, a checkpoint round trip and two data-parallel ranks on the device. Exits 0 when every check passed, 1 when one failed.")
        {
            device, speed, batch, size, steps, ringMib,
        };
        command.SetAction(result =>
        {
            ComputeDevice.TryParse(result.GetValue(device) ?? "auto", out var requested);
            TrainingDevice resolved;
            try
            {
                resolved = DeviceResolver.ForThisProcess(requested, 0);
            }
            catch (ConfigException e)
            {
                error.WriteLine($"asl-worker: --device: {e.Message}");
                return RunExitCodes.InvalidConfig;
            }
            output.WriteLine($"checking {resolved}");
            var results = DeviceCheck.Run(resolved);
            foreach (var line in results)
                output.WriteLine(line);
            int failed = results.Count(r => r.Outcome == DeviceCheckOutcome.Failed);
            output.WriteLine(failed == 0 ? "all checks passed" : $"{failed} check(s) failed");
            if (failed == 0 && result.GetValue(speed))
            {
                foreach (string line in DeviceSpeed.Run(resolved, result.GetValue(batch), result.GetValue(size), result.GetValue(steps), result.GetValue(ringMib)))
                    output.WriteLine($"speed: {line}");
            }
            return failed == 0 ? 0 : RunExitCodes.Failed;
        });
        return command;
    }
}
