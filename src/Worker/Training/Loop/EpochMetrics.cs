namespace Asl.Distributed.Training.Loop;

/// <summary>One line of metrics.jsonl: what an epoch of training and validation measured.</summary>
public sealed record EpochMetrics(
    int Epoch,
    long Step,
    double TrainLoss,
    double LearningRate,
    double Map,
    double MapEma,
    double ValLoss,
    double Cf1,
    double Of1,
    double ProbGap,
    double GammaNeg,
    double ImagesPerSecond,
    double Seconds,
    long SkippedSteps);
