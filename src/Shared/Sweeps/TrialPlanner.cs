using System.Globalization;
using Asl.Distributed.Configuration.Training;

namespace Asl.Distributed.Sweeps;

/// <summary>
/// The trials of a spec, pure and deterministic: trial i's plan is a function of the spec and i alone, so a
/// coordinator restarted mid-sweep makes exactly the trials it would have made, in any order and without drawing
/// the ones before. Baselines take indices 0 to b − 1 (scheduled first, never starved); the search's trials follow.
/// Each trial owns a generator keyed by the sweep seed and its index (xoshiro256** seeded from SplitMix64's output
/// number i): its first draw is the trial's training seed, the next ones its samples, one per key in the order
/// written.
/// </summary>
public static class TrialPlanner
{
    /// <summary>How many trials the spec makes: its baselines and its search's trials.</summary>
    public static int TrialCount(SweepSpec spec) => checked(spec.Baselines.Count + (int)SearchTrialCount(spec));

    /// <summary>The plan of trial <paramref name="index"/>.</summary>
    public static TrialPlan Plan(SweepSpec spec, int index)
    {
        int count = TrialCount(spec);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count);
        var random = new Xoshiro256StarStar(SplitMix64.At(unchecked((ulong)spec.Seed), (ulong)index));
        // Drawn first for every trial, so that sweeping `seed` or adding a key leaves the other draws where they were.
        long derivedSeed = (long)(random.Next() >> 33);
        bool baseline = index < spec.Baselines.Count;
        IReadOnlyList<KeyValuePair<string, string>> settings = baseline
            ? spec.Baselines[index].Settings
            : spec.Algorithm.Enumerates
                ? Combination(spec.SearchSpace, index - spec.Baselines.Count)
                : new ValueList<KeyValuePair<string, string>>(spec.SearchSpace.Select(d => KeyValuePair.Create(d.Key, d.Domain.Sample(random))));
        long seed = settings.LastOrDefault(s => s.Key == SeedKey) is { Key: not null } swept
            ? long.Parse(swept.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)
            : derivedSeed;
        return new TrialPlan(index, seed, settings, baseline);
    }

    /// <summary>Every trial's plan, in index order.</summary>
    public static IReadOnlyList<TrialPlan> PlanAll(SweepSpec spec) =>
        Enumerable.Range(0, TrialCount(spec)).Select(i => Plan(spec, i)).ToArray();

    /// <summary>
    /// The trial's training config: the base, the trial's settings, its seed and, under ASHA, schedule.epochs =
    /// max_epochs with schedule.stop_epoch 0 (the full LR schedule; ASHA stops early). The world size is the spec's
    /// <see cref="SweepSpec.WorkersPerTrial"/> and travels with the assignment, as the ranks always have. Throws a
    /// <see cref="Configuration.ConfigException"/> listing every problem (none for a spec the reader accepted).
    /// </summary>
    public static TrainingConfig Resolve(SweepSpec spec, TrialPlan plan) => Resolve(spec, BaseConfigText.Read(spec.BaseConfig), plan);

    internal static TrainingConfig Resolve(SweepSpec spec, TrainingConfig baseConfig, TrialPlan plan) =>
        TrainingConfigLoader.With(baseConfig, SettingsOf(spec, plan));

    /// <summary>The keys the sweep itself sets on every trial; a search space or baseline may not set them under ASHA.</summary>
    internal static IReadOnlyList<string> OwnedKeys(SweepAlgorithmKind kind) =>
        kind == SweepAlgorithmKind.Asha ? [EpochsKey, StopEpochKey] : [];

    internal const string SeedKey = "seed";

    private const string EpochsKey = "schedule.epochs";

    private const string StopEpochKey = "schedule.stop_epoch";

    private static List<KeyValuePair<string, string>> SettingsOf(SweepSpec spec, TrialPlan plan)
    {
        var settings = new List<KeyValuePair<string, string>>(plan.Settings);
        if (!settings.Any(s => s.Key == SeedKey))
            settings.Add(KeyValuePair.Create(SeedKey, plan.Seed.ToString(CultureInfo.InvariantCulture)));
        if (spec.Algorithm is AshaAlgorithm asha)
        {
            settings.Add(KeyValuePair.Create(EpochsKey, asha.MaxEpochs.ToString(CultureInfo.InvariantCulture)));
            settings.Add(KeyValuePair.Create(StopEpochKey, "0"));
        }
        return settings;
    }

    /// <summary>The trials of the search alone (without baselines); saturates at <see cref="long.MaxValue"/>.</summary>
    internal static long SearchTrialCount(SweepSpec spec) => spec.Algorithm switch
    {
        RandomAlgorithm random => random.NumTrials,
        AshaAlgorithm { NumTrials: { } sampled } => sampled,
        _ => GridSize(spec.SearchSpace),
    };

    /// <summary>The number of combinations of the listed values (1 for an empty space), saturating.</summary>
    internal static long GridSize(IEnumerable<SweepDimension> space)
    {
        long size = 1;
        foreach (var dimension in space)
        {
            int count = dimension.Domain.Listed?.Count
                ?? throw new InvalidOperationException($"{dimension.Key} is a {dimension.Domain.Kind} range, which a grid cannot enumerate");
            size = size > long.MaxValue / count ? long.MaxValue : size * count;
        }
        return size;
    }

    // Mixed radix with the last key as the lowest digit: the first key written varies slowest.
    private static ValueList<KeyValuePair<string, string>> Combination(ValueList<SweepDimension> space, int combination)
    {
        var values = new KeyValuePair<string, string>[space.Count];
        long rest = combination;
        for (int d = space.Count - 1; d >= 0; d--)
        {
            var listed = space[d].Domain.Listed!;
            values[d] = KeyValuePair.Create(space[d].Key, listed[(int)(rest % listed.Count)]);
            rest /= listed.Count;
        }
        return new ValueList<KeyValuePair<string, string>>(values);
    }
}
