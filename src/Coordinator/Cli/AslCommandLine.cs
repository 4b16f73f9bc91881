using System.Globalization;
using Asl.Distributed.Configuration;
using Asl.Distributed.Losses;

namespace Asl.Distributed.Coordinator.Cli;

/// <summary>
/// The <c>asl</c> command line. Sweeps and the coordinator come with later work; today it answers what a loss
/// preset means, so that a config's <c>loss.preset</c> is never a guess.
/// </summary>
public static class AslCommandLine
{
    /// <summary>Runs one command; returns the process exit code (0 success, 2 usage or config error).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        string command = args.Length > 0 ? args[0] : "help";
        try
        {
            switch (command)
            {
                case "loss-presets":
                    WritePresets(args.Length > 1 ? [args[1]] : AsymmetricLossOptions.PresetNames, output);
                    return 0;
                case "help" or "--help" or "-h":
                    WriteUsage(output);
                    return 0;
                default:
                    error.WriteLine($"asl: unknown command '{command}'; allowed: loss-presets, help");
                    return 2;
            }
        }
        catch (ConfigException e)
        {
            error.WriteLine($"asl: {e.Message}");
            return 2;
        }
    }

    private static void WritePresets(IEnumerable<string> names, TextWriter output)
    {
        output.WriteLine("preset     gamma_neg  gamma_pos  clip   eps     disable_torch_grad_focal_loss  reduction");
        foreach (string name in names)
        {
            var o = AsymmetricLossOptions.FromPreset(name, "preset");
            output.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0,-10} {1,-10} {2,-10} {3,-6} {4,-7} {5,-30} {6}",
                name.Trim().ToLowerInvariant(), o.GammaNeg, o.GammaPos, o.Clip, o.Eps, o.DisableTorchGradFocalLoss ? "true" : "false",
                o.Reduction.ToName()));
        }
    }

    private static void WriteUsage(TextWriter output)
    {
        output.WriteLine("usage: asl <command>");
        output.WriteLine("  loss-presets [NAME]   the settings behind each loss preset (asl, asl-coco, bce, focal)");
        output.WriteLine("  help                  this text");
    }
}
