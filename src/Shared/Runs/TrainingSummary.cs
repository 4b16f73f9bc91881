namespace Asl.Distributed.Runs;

/// <summary>The outcome of a run, written to summary.json: how it ended, where it stands, and every epoch's metrics.</summary>
public sealed record TrainingSummary(
    int EpochsCompleted,
    long Steps,
    double BestMap,
    int BestEpoch,
    string BestCheckpoint,
    string LastCheckpoint,
    IReadOnlyList<EpochMetrics> Epochs,
    long SkippedSteps,
    double Seconds,
    RunExitReason ExitReason = RunExitReason.Completed,
    string? StopReason = null,
    IReadOnlyList<string>? ClassNames = null);
