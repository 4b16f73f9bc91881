using System.CommandLine;
using System.Globalization;
using Asl.Distributed.Configuration.Schema;
using Asl.Distributed.Losses;

namespace Asl.Distributed.Coordinator.Cli;

/// <summary>
/// The <c>asl</c> command line: <c>serve</c> runs the coordinator; <c>loss-presets</c> says what a loss preset means,
/// so that a config's <c>loss.preset</c> is never a guess.
/// </summary>
public static class AslCommandLine
{
    /// <summary>Runs one command; returns the process exit code (0 success, 2 usage or config error).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var preset = new Argument<string?>("preset")
        {
            Description = $"One preset ({string.Join(", ", ConfigNames.Of<LossPreset>())}), in any case; all of them when left out.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        preset.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1 && ConfigNames.TryParse(typeof(LossPreset), result.Tokens[0].Value) is null)
                result.AddError($"preset '{result.Tokens[0].Value}' is not a loss preset; allowed: {string.Join(", ", ConfigNames.Of<LossPreset>())}");
        });
        var presets = new Command("loss-presets", "The settings behind each loss preset: gamma_neg, gamma_pos, clip, eps, weight detached, reduction.") { preset };
        presets.SetAction(result =>
        {
            var chosen = result.GetValue(preset) is { } name ? [ConfigNames.Parse<LossPreset>(name, "preset")] : Enum.GetValues<LossPreset>();
            WritePresets(chosen, output);
            return 0;
        });
        var root = new RootCommand("asl: the Asl.Distributed coordinator and its command line.") { presets, ServeCommand.Create(output, error) };
        foreach (var command in SweepCommand.Create(output, error))
            root.Add(command);

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var problem in parsed.Errors)
                error.WriteLine($"asl: {problem.Message}");
            error.WriteLine("see: asl --help");
            return 2;
        }
        int exit = parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        return args.Length == 0 ? 2 : exit;
    }

    private static void WritePresets(IEnumerable<LossPreset> presets, TextWriter output)
    {
        output.WriteLine("preset     gamma_neg  gamma_pos  clip   eps     disable_torch_grad_focal_loss  reduction");
        foreach (var preset in presets)
        {
            var o = AsymmetricLossOptions.FromPreset(preset);
            output.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0,-10} {1,-10} {2,-10} {3,-6} {4,-7} {5,-30} {6}",
                ConfigNames.ToName(preset), o.GammaNeg, o.GammaPos, o.Clip, o.Eps, o.DisableTorchGradFocalLoss ? "true" : "false",
                o.Reduction.ToName()));
        }
    }
}
