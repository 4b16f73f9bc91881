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
        // An unreadable kind leaves the default in place; checking the rest against it would only mislead.
        if (problems.Any(p => p.Key == "algorithm.kind"))
            return null;
        int before = problems.Count;
        var kind = fields.Kind;
        string kindName = ConfigNames.ToName(kind);
        var schema = SweepSettings.Schema;
        var written = ((node as YamlMappingNode)?.Children.Keys ?? []).Select(k => (k as YamlScalarNode)?.Value ?? "").ToList();
        foreach (string name in written)
        {
            if (schema.Find($"algorithm.{name}") is not null && !Uses[kind].Contains(name))
                problems.Add(new ConfigProblem($"algorithm.{name}", $"is not used by algorithm {kindName}; allowed under {kindName}: {string.Join(", ", Uses[kind])}"));
        }
        var ranges = space.Where(d => d.Domain.Listed is null).ToList();
        string rangeNames = string.Join(", ", ranges.Select(d => $"search_space.{d.Key} ({ConfigNames.ToName(d.Domain.Kind)})"));
        string numTrials = $"an integer in [1, {SweepAlgorithmSettings.MaxTrials}]";
        // A field written with a bad value has its problem already; "required" would say it twice.
        bool needsTrials = fields.NumTrials is null && !written.Contains("num_trials");
        bool needsEpochs = fields.MaxEpochs is null && !written.Contains("max_epochs");
        switch (kind)
        {
            case SweepAlgorithmKind.Grid:
                foreach (var range in ranges)
                {
                    problems.Add(new ConfigProblem($"search_space.{range.Key}",
                        $"{ConfigNames.ToName(range.Domain.Kind)} is a range, which algorithm grid cannot enumerate; allowed under grid: grid, choice (or algorithm random or asha with num_trials)"));
                }
                break;
            case SweepAlgorithmKind.Random when needsTrials:
                problems.Add(new ConfigProblem("algorithm.num_trials", $"is required by algorithm random; allowed: {numTrials}"));
                break;
            case SweepAlgorithmKind.Asha:
                if (needsTrials && ranges.Count > 0)
                    problems.Add(new ConfigProblem("algorithm.num_trials", $"is required by asha over ranges ({rangeNames}): without it asha runs every grid combination; allowed: {numTrials}"));
                if (needsEpochs)
                    problems.Add(new ConfigProblem("algorithm.max_epochs", $"is required by algorithm asha; allowed: an integer in [{fields.GracePeriod}, 100000] (at least grace_period)"));
                else if (fields.MaxEpochs is { } max && max < fields.GracePeriod)
                    problems.Add(new ConfigProblem("algorithm.max_epochs", $"{fields.MaxEpochs} is less than algorithm.grace_period ({fields.GracePeriod}); allowed: an integer in [{fields.GracePeriod}, 100000]"));
                break;
        }
        // A required field written with a bad value is null here, its problem reported where it was read.
        SweepAlgorithm? algorithm = (kind, fields.NumTrials, fields.MaxEpochs) switch
        {
            _ when problems.Count > before => null,
            (SweepAlgorithmKind.Grid, _, _) => new GridAlgorithm(),
            (SweepAlgorithmKind.Random, { } trials, _) => new RandomAlgorithm(trials),
            (SweepAlgorithmKind.Asha, var trials, { } epochs) => new AshaAlgorithm(trials, fields.ReductionFactor, fields.GracePeriod, epochs),
            _ => null,
        };
        if (algorithm is null)
            return null;
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
