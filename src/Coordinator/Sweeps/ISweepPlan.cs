using Asl.Distributed.Runs;

namespace Asl.Distributed.Coordinator.Sweeps;

/// <summary>
/// A validated sweep spec as the sweep grain uses it: how many trials, each trial's config, the metric and the
/// early-stopping rule. Pure: the same spec text gives the same answers after any restart.
/// </summary>
public interface ISweepPlan
{
    string Name { get; }
    /// <summary>The spec in canonical YAML: the same for every spelling of the same spec, so resubmissions compare equal.</summary>
    string CanonicalYaml { get; }
    int TrialCount { get; }
    int WorkersPerTrial { get; }
    /// <summary>Trials that may be unfinished at once; 0 for no limit.</summary>
    int MaxConcurrentTrials { get; }
    int MaxFailuresPerTrial { get; }
    /// <summary>True when a larger metric is better.</summary>
    bool Maximize { get; }

    /// <summary>Trial <paramref name="index"/>'s settings, seed and config, writing its output to <paramref name="outputDir"/>.</summary>
    PlannedTrial Trial(int index, string outputDir);

    /// <summary>The sweep's metric of one epoch (NaN when undefined).</summary>
    double MetricOf(EpochMetrics metrics);

    /// <summary>
    /// ASHA's decision when <paramref name="epoch"/> is a rung the trial has not been recorded at, given the results
    /// recorded so far; null when there is no decision to make (no rung here, or not an ASHA sweep).
    /// </summary>
    RungOutcome? AtRung(IReadOnlyList<RungRecord> recorded, int index, int epoch, double value);
}
