namespace Asl.Distributed.Sweeps;

/// <summary>
/// What one trial of a sweep is: its index, the seed it trains with (the training config's <c>seed</c>), and the
/// settings (dotted key, canonical value text) applied to the base config, in the order of the search space (or of
/// the baseline). Compared by value, settings included.
/// </summary>
/// <param name="Index">0-based; baselines take the first indices.</param>
/// <param name="Seed">The trial's training seed: derived from the sweep seed and the index, or the swept <c>seed</c>.</param>
/// <param name="Settings">The sampled or enumerated values (a baseline's fixed ones), without the seed unless swept.</param>
/// <param name="IsBaseline">Whether the trial is one of the spec's baselines.</param>
public sealed record TrialPlan(int Index, long Seed, IReadOnlyList<KeyValuePair<string, string>> Settings, bool IsBaseline)
{
    public bool Equals(TrialPlan? other) =>
        other is not null && Index == other.Index && Seed == other.Seed && IsBaseline == other.IsBaseline && Settings.SequenceEqual(other.Settings);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Index);
        hash.Add(Seed);
        hash.Add(IsBaseline);
        foreach (var setting in Settings)
            hash.Add(setting);
        return hash.ToHashCode();
    }

    /// <summary>The settings as overrides, for logs and tables: <c>loss.gamma_neg=2.5 loss.clip=0.05</c>.</summary>
    public string Describe() => string.Join(' ', Settings.Select(s => $"{s.Key}={s.Value}"));
}
