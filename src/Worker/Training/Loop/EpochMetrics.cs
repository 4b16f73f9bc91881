namespace Asl.Distributed.Training.Loop;

/// <summary>
/// One line of metrics.jsonl: what an epoch of training and validation measured. Loss and images count the whole
/// global batch on every rank; <see cref="CommunicationShare"/> is the part of training time spent in gradient
/// all-reduces.
/// </summary>
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
    long SkippedSteps,
    int WorldSize = 1,
    double CommunicationShare = 0);
