namespace Asl.Distributed.Training.Loop;

/// <summary>The outcome of a run, written to summary.json.</summary>
public sealed record TrainingSummary(
    int EpochsCompleted,
    long Steps,
    double BestMap,
    int BestEpoch,
    string BestCheckpoint,
    string LastCheckpoint,
    IReadOnlyList<EpochMetrics> Epochs,
    long SkippedSteps,
    double Seconds);
