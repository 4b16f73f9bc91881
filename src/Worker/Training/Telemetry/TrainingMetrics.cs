using System.Diagnostics;
using System.Diagnostics.Metrics;
using Asl.Distributed.Runs;
using Asl.Distributed.Telemetry;

namespace Asl.Distributed.Training.Telemetry;

/// <summary>
/// The training library's instruments, under <see cref="TelemetryNames.TrainingMeter"/>, and the attributes of one
/// rank of one run (sweep and trial where the coordinator runs it, and the rank). System.Diagnostics.Metrics costs
/// next to nothing while no listener is attached; a host's telemetry set-up exports them. Per step every rank
/// records its step time, data wait and all-reduce; the global figures (loss, learning rate, throughput, the
/// validation metrics) come from rank 0 only, since every rank has the same ones.
/// </summary>
public sealed class TrainingMetrics
{
    private static readonly Meter Meter = new(TelemetryNames.TrainingMeter);
    // Bucket bounds for the scale of each histogram (the SDK's defaults are for milliseconds).
    private static readonly double[] SecondsBounds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
    private static readonly double[] BandwidthBounds = [1e6, 1e7, 1e8, 2.5e8, 5e8, 1e9, 2.5e9, 5e9, 1e10, 2.5e10, 5e10, 1e11, 2.5e11];
    private static readonly Histogram<double> StepDuration = Histogram(TelemetryNames.StepDuration, SecondsBounds);
    private static readonly Histogram<double> DataWait = Histogram(TelemetryNames.DataWait, SecondsBounds);
    private static readonly Histogram<double> AllReduceDuration = Histogram(TelemetryNames.AllReduceDuration, SecondsBounds);
    private static readonly Counter<long> AllReduceBytes =
        Meter.CreateCounter<long>(TelemetryNames.AllReduceBytes.Name, TelemetryNames.AllReduceBytes.Unit, TelemetryNames.AllReduceBytes.Description);
    private static readonly Histogram<double> AllReduceBusBandwidth = Histogram(TelemetryNames.AllReduceBusBandwidth, BandwidthBounds);
    private static readonly Gauge<double> TrainLoss = Gauge(TelemetryNames.TrainLoss);
    private static readonly Gauge<double> LearningRate = Gauge(TelemetryNames.LearningRate);
    private static readonly Gauge<double> SamplesPerSecond = Gauge(TelemetryNames.SamplesPerSecond);
    private static readonly Gauge<double> Map = Gauge(TelemetryNames.Map);
    private static readonly Gauge<double> MapEma = Gauge(TelemetryNames.MapEma);
    private static readonly Gauge<double> Cf1 = Gauge(TelemetryNames.Cf1);
    private static readonly Gauge<double> Of1 = Gauge(TelemetryNames.Of1);
    private static readonly Gauge<double> ProbabilityGap = Gauge(TelemetryNames.ProbabilityGap);
    private static readonly Gauge<double> GammaNeg = Gauge(TelemetryNames.GammaNeg);

    private readonly TagList _tags;

    /// <summary>The instruments for rank <paramref name="rank"/> of a run, of a trial of a sweep where given.</summary>
    public TrainingMetrics(string? sweepId, string? trialId, int rank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        if (sweepId is not null)
            _tags.Add(TelemetryNames.SweepId, sweepId);
        if (trialId is not null)
            _tags.Add(TelemetryNames.TrialId, trialId);
        _tags.Add(TelemetryNames.Rank, rank);
    }

    /// <summary>One step: its duration from batch in hand to its end, and how long it waited for the batch.</summary>
    internal void Step(TimeSpan duration, TimeSpan dataWait)
    {
        StepDuration.Record(duration.TotalSeconds, _tags);
        DataWait.Record(dataWait.TotalSeconds, _tags);
    }

    /// <summary>One step's gradient all-reduce over <paramref name="worldSize"/> ranks: its time on the ring and its bytes.</summary>
    internal void AllReduce(TimeSpan duration, long bytes, int worldSize)
    {
        AllReduceDuration.Record(duration.TotalSeconds, _tags);
        AllReduceBytes.Add(bytes, _tags);
        if (duration > TimeSpan.Zero && worldSize > 1)
            AllReduceBusBandwidth.Record(bytes * 2.0 * (worldSize - 1) / worldSize / duration.TotalSeconds, _tags);
    }

    /// <summary>Progress within an epoch (rank 0).</summary>
    internal void Progress(BatchProgress progress)
    {
        TrainLoss.Record(progress.MeanLoss, _tags);
        LearningRate.Record(progress.LearningRate, _tags);
        SamplesPerSecond.Record(progress.ImagesPerSecond, _tags);
    }

    /// <summary>An epoch's validation and loss state (rank 0).</summary>
    internal void Epoch(EpochMetrics metrics)
    {
        Map.Record(metrics.Map, _tags);
        MapEma.Record(metrics.MapEma, _tags);
        Cf1.Record(metrics.Cf1, _tags);
        Of1.Record(metrics.Of1, _tags);
        ProbabilityGap.Record(metrics.ProbGap, _tags);
        GammaNeg.Record(metrics.GammaNeg, _tags);
    }

    private static Histogram<double> Histogram(TelemetryNames.Metric metric, double[] bounds) => Meter.CreateHistogram(metric.Name, metric.Unit, metric.Description,
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = bounds });

    private static Gauge<double> Gauge(TelemetryNames.Metric metric) => Meter.CreateGauge<double>(metric.Name, metric.Unit, metric.Description);
}
