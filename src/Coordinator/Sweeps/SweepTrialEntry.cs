using Asl.Distributed.Coordinator.Trials;

namespace Asl.Distributed.Coordinator.Sweeps;

/// <summary>A planned trial as its sweep keeps it for the leaderboard: status, best metric and epochs seen.</summary>
[GenerateSerializer, Alias("asl.SweepTrialEntry")]
public sealed class SweepTrialEntry
{
    [Id(0)] public int Index { get; set; }
    [Id(1)] public string TrialId { get; set; } = "";
    [Id(2)] public TrialStatus Status { get; set; }
    /// <summary>The best value of the sweep metric over its epochs; NaN before the first.</summary>
    [Id(3)] public double BestMetric { get; set; } = double.NaN;
    /// <summary>The epochs recorded, each with its decision, so a re-delivered report gets the same answer.</summary>
    [Id(4)] public Dictionary<int, bool> Decisions { get; set; } = [];
}
