namespace Asl.Distributed.Coordinator.Sweeps;

/// <summary>Ranking of a sweep's trials by their best metric.</summary>
public static class Leaderboard
{
    /// <summary>Trials with a metric, best first (ties by index); trials without one are left out.</summary>
    public static IReadOnlyList<SweepTrialEntry> Rank(IEnumerable<SweepTrialEntry> trials, bool maximize) =>
        [.. trials.Where(t => !double.IsNaN(t.BestMetric))
            .OrderBy(t => maximize ? -t.BestMetric : t.BestMetric).ThenBy(t => t.Index)];

    /// <summary>The best trial, or null when none has a metric.</summary>
    public static SweepTrialEntry? Best(IEnumerable<SweepTrialEntry> trials, bool maximize) => Rank(trials, maximize).FirstOrDefault();
}
