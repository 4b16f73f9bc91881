using Asl.Distributed.Worker.Commands;

namespace Asl.Distributed.Worker;

/// <summary>
/// The arguments of <c>asl-worker train</c>: the config, its overrides and the flags. Placement flags follow
/// torchrun: <c>--nproc N</c> starts N local ranks; <c>--rank r --world-size n --peers host:port,...</c> is one rank of a
/// job started by hand (or by the coordinator).
/// </summary>
public sealed record TrainArguments(string ConfigPath, IReadOnlyList<string> Overrides, bool Resume, int ProcessCount, int Rank, int WorldSize,
    IReadOnlyList<string> Peers)
{
    public const string Usage =
        "usage: asl-worker train CONFIG.yaml [section.key=value ...] [--resume] [--nproc N | --rank R --world-size N --peers HOST:PORT,...]";

    /// <summary>Whether this process starts local ranks rather than being one.</summary>
    public bool Launches => ProcessCount > 1;

    /// <summary>
    /// Parses the arguments after the word <c>train</c> with the command line's own parser; throws an
    /// <see cref="ArgumentException"/> naming every problem.
    /// </summary>
    public static TrainArguments Parse(IReadOnlyList<string> args)
    {
        var command = new TrainCommand();
        var result = command.Command.Parse([.. args]);
        if (result.Errors.Count > 0)
            throw new ArgumentException(string.Join("; ", result.Errors.Select(e => e.Message)));
        return command.Arguments(result);
    }

    /// <summary>
    /// Checks that the placement flags fit together; throws an <see cref="ArgumentException"/> naming the flag.
    /// </summary>
    public static TrainArguments Create(string configPath, IReadOnlyList<string> overrides, bool resume, int? processCount, int? rank, int? worldSize,
        string? peers)
    {
        bool joins = rank is not null || worldSize is not null || peers is not null;
        if (joins && processCount is not null)
            throw new ArgumentException("--nproc starts local ranks itself; it cannot be combined with --rank, --world-size or --peers");
        if (joins && (rank is null || worldSize is null || peers is null))
            throw new ArgumentException("--rank, --world-size and --peers go together; one of them is missing");
        var peerList = peers?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (joins)
        {
            if (peerList.Length != worldSize)
                throw new ArgumentException($"--peers lists {peerList.Length} address(es) but --world-size is {worldSize}; allowed: one host:port per rank, in rank order");
            if (rank >= worldSize)
                throw new ArgumentException($"--rank {rank} is out of range; allowed: 0 to {worldSize - 1} for --world-size {worldSize}");
        }
        return new TrainArguments(configPath, overrides, resume, processCount ?? 1, rank ?? 0, worldSize ?? 1, peerList);
    }

    /// <summary>The arguments each launched rank receives: everything but --nproc.</summary>
    public IReadOnlyList<string> RankArguments() =>
        ["train", ConfigPath, .. Overrides, .. Resume ? new[] { "--resume" } : []];
}
