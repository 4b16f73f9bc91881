namespace Asl.Distributed.Runs;

/// <summary>
/// One line of metrics.jsonl: what an epoch of training and validation measured. Loss and images count the whole
/// global batch on every rank; <see cref="CommunicationShare"/> is the part of training time spent in gradient
/// all-reduces. <see cref="Diverged"/> marks an epoch whose validation met non-finite scores under
/// <c>run.nan_policy: skip</c>; the mAP of such a model is NaN. <see cref="ClassAp"/> and
/// <see cref="ClassApEma"/> hold each class's AP (×100) in the order of the data set's classes, NaN for a class
/// without positives.
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
    double CommunicationShare = 0,
    bool Diverged = false,
    IReadOnlyList<double>? ClassAp = null,
    IReadOnlyList<double>? ClassApEma = null,
    EpochDurations? Durations = null)
{
    /// <summary>The better of the regular and the EMA model's mAP (NaN only when both are).</summary>
    public double BestMap => double.IsNaN(MapEma) ? Map : double.IsNaN(Map) ? MapEma : Math.Max(Map, MapEma);
}
