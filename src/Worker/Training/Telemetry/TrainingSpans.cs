using System.Diagnostics;
using Asl.Distributed.Runs;
using Asl.Distributed.Telemetry;

namespace Asl.Distributed.Training.Telemetry;

/// <summary>
/// The training library's spans under <see cref="TelemetryNames.ActivitySource"/>: an <c>asl.epoch</c> span per epoch
/// and rank (children of whatever span is current: a worker agent's <c>asl.rank</c>, itself under the coordinator's
/// attempt), and an <c>asl.allreduce</c> span for one step in <see cref="AllReduceSampleInterval"/>, from the start of
/// backward (buckets go on the ring during it) to the end of the exchange. Both are children of the current span (a
/// default parent context means that). Nothing is made while no one listens.
/// </summary>
internal static class TrainingSpans
{
    /// <summary>One step in this many gets an all-reduce span (the first step of a run always does).</summary>
    public const int AllReduceSampleInterval = 50;

    private static readonly ActivitySource Source = new(TelemetryNames.ActivitySource);

    /// <summary>Starts epoch <paramref name="epoch"/>'s span on rank <paramref name="rank"/>; null when no one listens.</summary>
    public static Activity? Epoch(int epoch, int rank, string? trialId) =>
        Source.StartActivity("asl.epoch", ActivityKind.Internal, parentContext: default,
            [new("asl.epoch", epoch), new(TelemetryNames.Rank, rank), new(TelemetryNames.TrialId, trialId)]);

    /// <summary>Puts the epoch's results on its span.</summary>
    public static void Completed(Activity? span, EpochMetrics metrics)
    {
        if (span is null)
            return;
        span.SetTag("asl.train.loss", metrics.TrainLoss);
        span.SetTag("asl.eval.map", metrics.Map);
        span.SetTag("asl.eval.map_ema", metrics.MapEma);
        span.SetTag("asl.loss.gamma_neg", metrics.GammaNeg);
        span.SetTag("asl.train.samples_per_second", metrics.ImagesPerSecond);
    }

    /// <summary>Whether step <paramref name="step"/> gets an all-reduce span.</summary>
    public static bool SampleAllReduce(long step) => step % AllReduceSampleInterval == 0 && Source.HasListeners();

    /// <summary>An all-reduce span that began at <paramref name="started"/> and ends now.</summary>
    public static void AllReduce(DateTimeOffset started, long step, TimeSpan ringTime, long bytes, int worldSize)
    {
        using var span = Source.StartActivity("asl.allreduce", ActivityKind.Internal, parentContext: default,
            [new("asl.step", step), new("asl.allreduce.bytes", bytes), new("asl.allreduce.ring_seconds", ringTime.TotalSeconds), new("asl.world_size", worldSize)],
            startTime: started);
    }
}
