using Asl.Distributed.Configuration.Schema;

namespace Asl.Distributed.Sweeps;

/// <summary>The fields of the spec's <c>algorithm</c> section with their defaults and ranges (see <see cref="SweepSettings"/>).</summary>
public sealed class SweepAlgorithmSettings
{
    /// <summary>The most trials one sweep may plan (each is validated before the sweep is accepted).</summary>
    public const int MaxTrials = 10_000;

    [Setting("grid: every combination of the grid and choice values; random: num_trials samples; asha: random's (or grid's) trials, stopped early at rungs.")]
    public SweepAlgorithmKind Kind { get; set; } = SweepAlgorithmKind.Grid;

    [Setting("random: how many trials to sample (required); asha: the same, or absent to run every grid combination; not allowed under grid.", Min = 1, Max = MaxTrials, Default = "none")]
    public int? NumTrials { get; set; }

    [Setting("asha: η; a trial passes a rung only with a result in the top 1/η of those recorded there before it.", Min = 1, MinExclusive = true, Max = 1000)]
    public double ReductionFactor { get; set; } = 4;

    [Setting("asha: epochs before the first rung; rungs fall at grace_period·η^k epochs.", Min = 1, Max = 100_000)]
    public int GracePeriod { get; set; } = 1;

    [Setting("asha: epochs of a trial that is never stopped, so every trial's schedule.epochs (required under asha, at least grace_period).", Min = 1, Max = 100_000, Default = "none")]
    public int? MaxEpochs { get; set; }
}
