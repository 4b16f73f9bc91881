using System.CommandLine;
using System.CommandLine.Parsing;

namespace Asl.Distributed.Worker.Commands;

/// <summary>
/// <c>asl-worker train CONFIG [section.key=value ...] [--resume] [--nproc N | --rank R --world-size N --peers ...]</c>:
/// the command's arguments and options, their help texts and their checks.
/// </summary>
internal sealed class TrainCommand
{
    private readonly Argument<string> _config = new("config") { Description = "The training config (YAML); see `asl-worker config keys` for every setting." };

    private readonly Argument<string[]> _overrides = new("overrides")
    {
        Description = "Settings that replace the config's, as section.key=value (for example loss.gamma_neg=2 run.batch_size=64).",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private readonly Option<bool> _resume = new("--resume") { Description = "Continue from output.dir/last.ckpt exactly where the run stopped." };

    private readonly Option<int?> _nproc = new("--nproc", "--nproc-per-node")
    {
        Description = "Train data-parallel on N local processes (run.batch_size is the global batch).",
        HelpName = "N",
    };

    private readonly Option<int?> _rank = new("--rank") { Description = "This process's rank in a job started by hand (with --world-size and --peers).", HelpName = "R" };

    private readonly Option<int?> _worldSize = new("--world-size") { Description = "The number of ranks of the job.", HelpName = "N" };

    private readonly Option<string?> _peers = new("--peers")
    {
        Description = "Every rank's host:port, in rank order, the same on every rank; the job's secret goes in ASL_JOB_SECRET.",
        HelpName = "HOST:PORT,...",
    };

    public TrainCommand()
    {
        Command = new Command("train", "Train one model as the config says, on this process or data-parallel over several.")
        {
            _config, _overrides, _resume, _nproc, _rank, _worldSize, _peers,
        };
        _overrides.Validators.Add(CheckOverrides);
        _nproc.Validators.Add(result => CheckRange(result, 1, Launching.LocalLauncher.MaxProcessCount));
        _rank.Validators.Add(result => CheckRange(result, 0, 65_535));
        _worldSize.Validators.Add(result => CheckRange(result, 1, 65_536));
    }

    public Command Command { get; }

    /// <summary>The parsed arguments; throws an <see cref="ArgumentException"/> when the placement flags do not fit together.</summary>
    public TrainArguments Arguments(ParseResult result) => TrainArguments.Create(result.GetRequiredValue(_config), result.GetValue(_overrides) ?? [],
        result.GetValue(_resume), result.GetValue(_nproc), result.GetValue(_rank), result.GetValue(_worldSize), result.GetValue(_peers));

    private static void CheckOverrides(ArgumentResult result)
    {
        foreach (var token in result.Tokens)
        {
            if (token.Value.StartsWith('-'))
                result.AddError($"unknown option '{token.Value}'; allowed: --resume, --nproc N, --rank R, --world-size N, --peers HOST:PORT,...");
            else if (token.Value.IndexOf('=') <= 0)
                result.AddError($"'{token.Value}' is not an override; allowed: section.key=value, for example loss.gamma_neg=2");
        }
    }

    private static void CheckRange(OptionResult result, int min, int max)
    {
        if (result.Tokens.Count == 0)
            return;
        string text = result.Tokens[0].Value;
        // A value that is not an integer is the parser's own error; only the range is checked here.
        if (int.TryParse(text, out int value) && (value < min || value > max))
            result.AddError($"{result.Option.Name} '{text}' is out of range; allowed: an integer in [{min}, {max}]");
    }
}
