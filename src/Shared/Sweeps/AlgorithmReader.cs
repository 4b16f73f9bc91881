using Asl.Distributed.Configuration;
using Asl.Distributed.Configuration.Schema;
using YamlDotNet.RepresentationModel;

namespace Asl.Distributed.Sweeps;

/// <summary>
/// Turns the <c>algorithm</c> section's fields (read and range-checked through <see cref="SweepSettings"/>) into a
/// <see cref="SweepAlgorithm"/>: the keys each kind uses and requires, the domains a grid can enumerate, and the
/// number of trials.
/// </summary>
internal static class AlgorithmReader
{
    private static readonly Dictionary<SweepAlgorithmKind, string[]> Uses = new()
    {
        [SweepAlgorithmKind.Grid] = ["kind"],
        [SweepAlgorithmKind.Random] = ["kind", "num_trials"],
        [SweepAlgorithmKind.Asha] = ["kind", "num_trials", "reduction_factor", "grace_period", "max_epochs"],
    };

    public static SweepAlgorithm? Read(SweepAlgorithmSettings fields, YamlNode? node, List<SweepDimension> space, int baselines, List<ConfigProblem> problems)
    {
        int before = problems.Count;
        var kind = fields.Kind;
        string kindName = ConfigNames.ToName(kind);
        var schema = SweepSettings.Schema;
        var written = (node as YamlMappingNode)?.Children.Keys ?? [];
        foreach (var keyNode in written)
        {
            string name = (keyNode as YamlScalarNode)?.Value ?? "";
            if (schema.Find($"algorithm.{name}") is not null && !Uses[kind].Contains(name))
                problems.Add(new ConfigProblem($"algorithm.{name}", $"is not used by algorithm {kindName}; allowed under {kindName}: {string.Join(", ", Uses[kind])}"));
        }
        var ranges = space.Where(d => d.Domain.Listed is null).ToList();
        string rangeNames = string.Join(", ", ranges.Select(d => $"search_space.{d.Key} ({ConfigNames.ToName(d.Domain.Kind)})"));
        string numTrials = schema.Find("algorithm.num_trials")!.Allowed;
        switch (kind)
        {
            case SweepAlgorithmKind.Grid:
                foreach (var range in ranges)
                {
                    problems.Add(new ConfigProblem($"search_space.{range.Key}",
                        $"{ConfigNames.ToName(range.Domain.Kind)} is a range, which algorithm grid cannot enumerate; allowed under grid: grid, choice (or algorithm random or asha with num_trials)"));
                }
                break;
            case SweepAlgorithmKind.Random when fields.NumTrials is null:
                problems.Add(new ConfigProblem("algorithm.num_trials", $"is required by algorithm random; allowed: {numTrials}"));
                break;
            case SweepAlgorithmKind.Asha:
                if (fields.NumTrials is null && ranges.Count > 0)
                    problems.Add(new ConfigProblem("algorithm.num_trials", $"is required by asha over ranges ({rangeNames}): without it asha runs every grid combination; allowed: {numTrials}"));
                if (fields.MaxEpochs is null)
                    problems.Add(new ConfigProblem("algorithm.max_epochs", $"is required by algorithm asha; allowed: an integer in [{fields.GracePeriod}, 100000] (at least grace_period)"));
                else if (fields.MaxEpochs < fields.GracePeriod)
                    problems.Add(new ConfigProblem("algorithm.max_epochs", $"{fields.MaxEpochs} is less than algorithm.grace_period ({fields.GracePeriod}); allowed: an integer in [{fields.GracePeriod}, 100000]"));
                break;
        }
        if (problems.Count > before)
            return null;

        SweepAlgorithm algorithm = kind switch
        {
            SweepAlgorithmKind.Grid => new GridAlgorithm(),
            SweepAlgorithmKind.Random => new RandomAlgorithm(fields.NumTrials!.Value),
            _ => new AshaAlgorithm(fields.NumTrials, fields.ReductionFactor, fields.GracePeriod, fields.MaxEpochs!.Value),
        };
        long search = algorithm.Enumerates ? TrialPlanner.GridSize(space) : fields.NumTrials!.Value;
        if (search > SweepAlgorithmSettings.MaxTrials - baselines)
        {
            string what = algorithm.Enumerates ? $"{(search == long.MaxValue ? "more than 9e18" : search)} combinations" : $"{search} trials";
            problems.Add(new ConfigProblem(algorithm.Enumerates ? "search_space" : "algorithm.num_trials",
                $"gives {what} and {baselines} baseline{(baselines == 1 ? "" : "s")}; allowed: at most {SweepAlgorithmSettings.MaxTrials} trials in all"));
            return null;
        }
        return algorithm;
    }
}
