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

    /// <summary>Parses <paramref name="args"/> after the word <c>train</c>; throws <see cref="ArgumentException"/> with a usable message.</summary>
    public static TrainArguments Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
            throw new ArgumentException("the config file is missing");
        var overrides = new List<string>();
        bool resume = false;
        int? processCount = null, rank = null, worldSize = null;
        string? peers = null;
        for (int i = 1; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                overrides.Add(arg);
                continue;
            }
            string name = arg.Split('=', 2)[0];
            string Value()
            {
                if (arg.Contains('='))
                    return arg.Split('=', 2)[1];
                if (i + 1 >= args.Count)
                    throw new ArgumentException($"{name} needs a value");
                return args[++i];
            }
            switch (name)
            {
                case "--resume":
                    resume = true;
                    break;
                case "--nproc":
                case "--nproc-per-node":
                    processCount = Integer(name, Value(), 1, 256);
                    break;
                case "--rank":
                    rank = Integer(name, Value(), 0, 65_535);
                    break;
                case "--world-size":
                    worldSize = Integer(name, Value(), 1, 65_536);
                    break;
                case "--peers":
                    peers = Value();
                    break;
                default:
                    throw new ArgumentException($"unknown option '{arg}'; allowed: --resume, --nproc N, --rank R, --world-size N, --peers HOST:PORT,...");
            }
        }

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
        return new TrainArguments(args[0], overrides, resume, processCount ?? 1, rank ?? 0, worldSize ?? 1, peerList);
    }

    /// <summary>The arguments each launched rank receives: everything but --nproc.</summary>
    public IReadOnlyList<string> RankArguments() =>
        ["train", ConfigPath, .. Overrides, .. Resume ? new[] { "--resume" } : []];

    private static int Integer(string name, string value, int min, int max) =>
        int.TryParse(value, out int parsed) && parsed >= min && parsed <= max
            ? parsed
            : throw new ArgumentException($"{name} '{value}' is out of range; allowed: an integer in [{min}, {max}]");
}
