using System.Diagnostics;
using System.Diagnostics.Metrics;
using Asl.Distributed.Otlp.Testing;
using Asl.Distributed.Otlp.Testing.Proto.Common;
using Asl.Distributed.Otlp.Testing.Proto.Logs;
using Asl.Distributed.Otlp.Testing.Proto.Metrics;
using Asl.Distributed.Otlp.Testing.Proto.Trace;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Xunit.Abstractions;
using SpanStatus = Asl.Distributed.Otlp.Testing.Proto.Trace.Status;
using static Asl.Distributed.Coordinator.Tests.Telemetry.ExporterPipelines;
// The SDK's ForceFlush for meter providers, without its Metric and AggregationTemporality types, which share names with OTLP's.
using static OpenTelemetry.Metrics.MeterProviderExtensions;

namespace Asl.Distributed.Coordinator.Tests.Telemetry;

/// <summary>
/// The test OTLP receiver against the real OpenTelemetry .NET SDK and its OTLP/gRPC exporter: what the SDK records
/// arrives with its names, units, attributes, resource and span links; the failure modes do what they say.
/// </summary>
public sealed class OtlpReceiverTests(ITestOutputHelper output)
{
    /// <summary>A hang guard only: every wait completes on an event long before it on a healthy run.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);

    private const int FlushGuardMilliseconds = 120_000;

    [Fact]
    public async Task Metrics_CounterAndHistogram_ArriveWithNameUnitAttributesAndServiceName()
    {
        using var guard = new CancellationTokenSource(HangGuard);
        await using var receiver = await OtlpReceiver.StartAsync(cancellation: guard.Token);
        using var meter = new Meter(UniqueName("meter"), "1.2.3");
        const string CounterName = "asl.test.samples";
        const string HistogramName = "asl.test.step.duration";
        double[] bounds = [0.5, 1, 2];
        long before = NowUnixNanoseconds();
        using var provider = ExporterPipelines.Metrics(receiver, meter.Name, HistogramName, bounds);
        var counter = meter.CreateCounter<long>(CounterName, unit: "{sample}", description: "Samples seen");
        var histogram = meter.CreateHistogram<double>(HistogramName, unit: "s", description: "Step time");

        long[] rank0Adds = [3, 4];
        long[] rank1Adds = [5];
        foreach (long add in rank0Adds)
            counter.Add(add, new("rank", 0), new("phase", "train"));
        foreach (long add in rank1Adds)
            counter.Add(add, new("rank", 1), new("phase", "train"));
        double[] steps = [0.25, 1.5, 3.0];
        foreach (double step in steps)
            histogram.Record(step, new KeyValuePair<string, object?>("phase", "train"));

        Assert.True(provider.ForceFlush(FlushGuardMilliseconds));
        long after = NowUnixNanoseconds();

        var samples = await receiver.WaitForMetricAsync(CounterName, cancellation: guard.Token);
        Assert.Equal("{sample}", samples.Metric.Unit);
        Assert.Equal("Samples seen", samples.Metric.Description);
        Assert.Equal(ServiceName, samples.ServiceName);
        Assert.Equal(Rank, Attributes.GetInt(samples.Resource.Attributes, RankAttribute));
        Assert.Equal(meter.Name, samples.Scope.Name);
        Assert.Equal("1.2.3", samples.Scope.Version);
        Assert.Equal(Metric.DataOneofCase.Sum, samples.Metric.DataCase);
        Assert.True(samples.Metric.Sum.IsMonotonic);
        Assert.Equal(AggregationTemporality.Cumulative, samples.Metric.Sum.AggregationTemporality);
        Assert.Equal(2, samples.Metric.Sum.DataPoints.Count);
        foreach (var (rank, adds) in new[] { (0L, rank0Adds), (1L, rank1Adds) })
        {
            var point = Assert.Single(samples.Metric.Sum.DataPoints, p => Attributes.GetInt(p.Attributes, "rank") == rank);
            Assert.Equal("train", Attributes.GetString(point.Attributes, "phase"));
            Assert.Equal(NumberDataPoint.ValueOneofCase.AsInt, point.ValueCase);
            Assert.Equal(adds.Sum(), point.AsInt);
            Assert.InRange((long)point.StartTimeUnixNano, before, (long)point.TimeUnixNano);
            Assert.InRange((long)point.TimeUnixNano, before, after);
        }

        var durations = await receiver.WaitForMetricAsync(HistogramName, cancellation: guard.Token);
        Assert.Equal("s", durations.Metric.Unit);
        Assert.Equal(ServiceName, durations.ServiceName);
        Assert.Equal(Metric.DataOneofCase.Histogram, durations.Metric.DataCase);
        var histogramPoint = Assert.Single(durations.Metric.Histogram.DataPoints);
        Assert.Equal("train", Attributes.GetString(histogramPoint.Attributes, "phase"));
        Assert.Equal((ulong)steps.Length, histogramPoint.Count);
        Assert.Equal(steps.Sum(), histogramPoint.Sum);
        Assert.Equal(steps.Min(), histogramPoint.Min);
        Assert.Equal(steps.Max(), histogramPoint.Max);
        Assert.Equal(bounds, histogramPoint.ExplicitBounds);
        // Buckets are (-inf, 0.5], (0.5, 1], (1, 2], (2, +inf): upper bounds inclusive, one overflow bucket.
        ulong[] expectedBuckets = new ulong[bounds.Length + 1];
        foreach (double step in steps)
            expectedBuckets[bounds.Count(b => b < step)]++;
        Assert.Equal(expectedBuckets, histogramPoint.BucketCounts);
    }

    [Fact]
    public async Task Spans_ParentAndChildActivities_ArriveLinkedWithAttributesEventsAndStatus()
    {
        using var guard = new CancellationTokenSource(HangGuard);
        await using var receiver = await OtlpReceiver.StartAsync(cancellation: guard.Token);
        using var source = new ActivitySource(UniqueName("source"), "4.5.6");
        using var provider = Tracing(receiver, source.Name);
        // Started before anything is sent: this wait completes on arrival; the parent's below on data already stored.
        var childArrives = receiver.WaitForSpanAsync("trial.epoch", cancellation: guard.Token);
        var linked = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);

        Activity.Current = null;
        Activity parent;
        Activity child;
        using (parent = source.StartActivity("sweep.trial", ActivityKind.Internal)!)
        {
            parent.SetTag("trial.id", "t-7");
            parent.SetTag("trial.rank", 1);
            parent.SetTag("loss.gamma_neg", 4.0);
            parent.SetTag("resumed", true);
            parent.SetTag("devices", new[] { "cpu", "cuda:0" });
            parent.AddEvent(new ActivityEvent("checkpoint.saved", tags: new ActivityTagsCollection { ["epoch"] = 3 }));
            using (child = source.StartActivity("trial.epoch", ActivityKind.Client, parentContext: default, links: [new ActivityLink(linked)])!)
            {
                child.SetTag("epoch", 3);
                child.SetStatus(ActivityStatusCode.Error, "diverged");
            }
        }
        Assert.True(provider.ForceFlush(FlushGuardMilliseconds));

        var childSpan = await childArrives;
        var parentSpan = await receiver.WaitForSpanAsync("sweep.trial", cancellation: guard.Token);

        Assert.Equal(parent.TraceId.ToHexString(), parentSpan.TraceId);
        Assert.Equal(parent.SpanId.ToHexString(), parentSpan.SpanId);
        Assert.Equal("", parentSpan.ParentSpanId);
        Assert.Equal(parentSpan.TraceId, childSpan.TraceId);
        Assert.Equal(parentSpan.SpanId, childSpan.ParentSpanId);
        Assert.Equal(child.SpanId.ToHexString(), childSpan.SpanId);
        Assert.NotEqual(parentSpan.SpanId, childSpan.SpanId);

        Assert.Equal(ServiceName, parentSpan.ServiceName);
        Assert.Equal(Rank, Attributes.GetInt(childSpan.Resource.Attributes, RankAttribute));
        Assert.Equal(source.Name, parentSpan.Scope.Name);
        Assert.Equal("4.5.6", parentSpan.Scope.Version);
        Assert.Equal(Span.Types.SpanKind.Internal, parentSpan.Span.Kind);
        Assert.Equal(Span.Types.SpanKind.Client, childSpan.Span.Kind);
        Assert.Equal(UnixNanoseconds(parent.StartTimeUtc), parentSpan.Span.StartTimeUnixNano);
        Assert.Equal(UnixNanoseconds(parent.StartTimeUtc + parent.Duration), parentSpan.Span.EndTimeUnixNano);
        Assert.InRange(childSpan.Span.StartTimeUnixNano, parentSpan.Span.StartTimeUnixNano, childSpan.Span.EndTimeUnixNano);
        Assert.InRange(childSpan.Span.EndTimeUnixNano, childSpan.Span.StartTimeUnixNano, parentSpan.Span.EndTimeUnixNano);

        var attributes = parentSpan.Span.Attributes;
        Assert.Equal("t-7", Attributes.GetString(attributes, "trial.id"));
        Assert.Equal(1, Attributes.GetInt(attributes, "trial.rank"));
        Assert.Equal(4.0, Attributes.GetDouble(attributes, "loss.gamma_neg"));
        Assert.True(Attributes.GetBool(attributes, "resumed"));
        Assert.Equal("[cpu, cuda:0]", Attributes.Text(Attributes.Get(attributes, "devices")));
        Assert.Equal(3, Attributes.GetInt(childSpan.Span.Attributes, "epoch"));

        var saved = Assert.Single(parentSpan.Span.Events);
        Assert.Equal("checkpoint.saved", saved.Name);
        Assert.Equal(3, Attributes.GetInt(saved.Attributes, "epoch"));
        var link = Assert.Single(childSpan.Span.Links);
        Assert.Equal(linked.TraceId.ToHexString(), OtlpIds.Hex(link.TraceId));
        Assert.Equal(linked.SpanId.ToHexString(), OtlpIds.Hex(link.SpanId));
        Assert.Equal(SpanStatus.Types.StatusCode.Error, childSpan.Span.Status.Code);
        Assert.Equal("diverged", childSpan.Span.Status.Message);
        Assert.Equal(SpanStatus.Types.StatusCode.Unset, parentSpan.Span.Status?.Code ?? SpanStatus.Types.StatusCode.Unset);
    }

    [Fact]
    public async Task Logs_LoggerMessageInsideActivity_ArrivesWithBodyAttributesSeverityAndSpan()
    {
        using var guard = new CancellationTokenSource(HangGuard);
        await using var receiver = await OtlpReceiver.StartAsync(cancellation: guard.Token);
        string category = UniqueName("category");
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddOpenTelemetry(options =>
        {
            options.SetResourceBuilder(ResourceBuilder.CreateDefault().AddService(ServiceName).AddAttributes([new(RankAttribute, Rank)]));
            options.AddOtlpExporter(exporter => PointAt(exporter, receiver));
        }));
        await using var provider = services.BuildServiceProvider();
        var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger(category);

        Activity.Current = null;
        using var activity = new Activity("otlp-log-test").Start();
        ReceiverTestLog.TrialDiverged(logger, "t-7", 3);
        activity.Stop();
        Assert.True(provider.GetRequiredService<LoggerProvider>().ForceFlush(FlushGuardMilliseconds));

        var log = await receiver.WaitForLogAsync(l => l.Scope.Name == category, guard.Token);
        output.WriteLine($"body: {Attributes.Text(log.Record.Body)}; severity: {log.Record.SeverityNumber} '{log.Record.SeverityText}'; attributes: {string.Join(", ", Attributes.ToText(log.Record.Attributes))}");
        Assert.Equal(ServiceName, log.ServiceName);
        Assert.Equal(Rank, Attributes.GetInt(log.Resource.Attributes, RankAttribute));
        Assert.Equal(SeverityNumber.Warn, log.Record.SeverityNumber);
        Assert.Equal(nameof(LogLevel.Warning), log.Record.SeverityText);
        Assert.Equal("t-7", Attributes.GetString(log.Record.Attributes, "TrialId"));
        Assert.Equal(3, Attributes.GetInt(log.Record.Attributes, "Epoch"));
        // Without IncludeFormattedMessage the SDK sends the template as the body and the values as attributes.
        Assert.Equal(ReceiverTestLog.TrialDivergedTemplate, log.Body);
        Assert.Equal(activity.TraceId.ToHexString(), log.TraceId);
        Assert.Equal(activity.SpanId.ToHexString(), log.SpanId);
        Assert.NotEqual(0UL, log.Record.TimeUnixNano);
    }

    [Fact]
    public async Task Refuse_TraceExport_CountsTheAttemptAndStoresNothing()
    {
        using var guard = new CancellationTokenSource(HangGuard);
        await using var receiver = await OtlpReceiver.StartAsync(cancellation: guard.Token);
        receiver.Mode = OtlpReceiverMode.Refuse;
        using var source = new ActivitySource(UniqueName("refused"));
        using var provider = Tracing(receiver, source.Name);

        source.StartActivity("refused.span")!.Dispose();
        provider.ForceFlush(FlushGuardMilliseconds);

        var attempt = await receiver.WaitForExportAttemptAsync(OtlpSignal.Traces, cancellation: guard.Token);
        var answer = await receiver.WaitForExportAnswerAsync(OtlpSignal.Traces, cancellation: guard.Token);
        Assert.Equal(OtlpReceiverMode.Refuse, attempt.Mode);
        Assert.Equal(OtlpExportOutcome.Refused, answer.Outcome);
        Assert.Empty(receiver.Spans);
        Assert.Equal(0, receiver.ExportAttemptCount(OtlpSignal.Metrics));

        receiver.Mode = OtlpReceiverMode.Accept;
        source.StartActivity("accepted.span")!.Dispose();
        Assert.True(provider.ForceFlush(FlushGuardMilliseconds));
        var accepted = await receiver.WaitForSpanAsync("accepted.span", cancellation: guard.Token);
        Assert.Equal(ServiceName, accepted.ServiceName);
        Assert.Equal(OtlpExportOutcome.Stored, receiver.ExportAnswers[^1].Outcome);
    }

    [Fact]
    public async Task Hold_FlushAndShutdownWithSmallTimeouts_ReturnWhileTheExportIsHeld()
    {
        using var guard = new CancellationTokenSource(HangGuard);
        await using var receiver = await OtlpReceiver.StartAsync(cancellation: guard.Token);
        receiver.Mode = OtlpReceiverMode.Hold;
        using var source = new ActivitySource(UniqueName("held"));
        // The exporter's own deadline is far away: only the small flush and shutdown timeouts can end the waits.
        var provider = Tracing(receiver, source.Name, exportTimeoutMilliseconds: 600_000);
        try
        {
            source.StartActivity("held.span")!.Dispose();
            var flush = Task.Run(() => Timed(() => provider.ForceFlush(200)));
            await receiver.WaitForExportAttemptAsync(OtlpSignal.Traces, cancellation: guard.Token);
            var (flushed, flushTime) = await flush.WaitAsync(guard.Token);
            var (shutDown, shutdownTime) = await Task.Run(() => Timed(() => provider.Shutdown(200))).WaitAsync(guard.Token);
            output.WriteLine($"held collector: ForceFlush(200 ms) returned {flushed} after {flushTime.TotalMilliseconds:F0} ms; " +
                $"Shutdown(200 ms) returned {shutDown} after {shutdownTime.TotalMilliseconds:F0} ms; answers so far: [{string.Join(", ", receiver.ExportAnswers)}]");

            // Still held (or given up by the exporter's shutdown): nothing was stored, nothing answered OK.
            Assert.Empty(receiver.Spans);
            Assert.DoesNotContain(receiver.ExportAnswers, a => a.Outcome == OtlpExportOutcome.Stored);
        }
        finally
        {
            // Answer the held call first: disposing the provider waits for its export thread.
            receiver.Mode = OtlpReceiverMode.Accept;
            provider.Dispose();
        }
    }

    [Fact]
    public async Task Hold_ThenAccept_HeldExportIsStoredAndFlushCompletes()
    {
        using var guard = new CancellationTokenSource(HangGuard);
        await using var receiver = await OtlpReceiver.StartAsync(cancellation: guard.Token);
        receiver.Mode = OtlpReceiverMode.Hold;
        using var source = new ActivitySource(UniqueName("released"));
        using var provider = Tracing(receiver, source.Name, exportTimeoutMilliseconds: 600_000);

        source.StartActivity("released.span")!.Dispose();
        var flush = Task.Run(() => provider.ForceFlush(FlushGuardMilliseconds));
        var attempt = await receiver.WaitForExportAttemptAsync(OtlpSignal.Traces, cancellation: guard.Token);
        Assert.Equal(OtlpReceiverMode.Hold, attempt.Mode);
        Assert.Empty(receiver.ExportAnswers);
        Assert.Empty(receiver.Spans);

        receiver.Mode = OtlpReceiverMode.Accept;
        var answer = await receiver.WaitForExportAnswerAsync(OtlpSignal.Traces, cancellation: guard.Token);
        Assert.Equal(OtlpExportOutcome.Stored, answer.Outcome);
        await receiver.WaitForSpanAsync("released.span", cancellation: guard.Token);
        Assert.True(await flush.WaitAsync(guard.Token));
        Assert.Equal(1, receiver.ExportAttemptCount(OtlpSignal.Traces));
    }

    [Fact]
    public async Task DisposeAsync_WhileHolding_AbandonsTheHeldCallAndStops()
    {
        using var guard = new CancellationTokenSource(HangGuard);
        var receiver = await OtlpReceiver.StartAsync(cancellation: guard.Token);
        receiver.Mode = OtlpReceiverMode.Hold;
        using var source = new ActivitySource(UniqueName("abandoned"));
        using var provider = Tracing(receiver, source.Name, exportTimeoutMilliseconds: 600_000);
        source.StartActivity("abandoned.span")!.Dispose();
        var flush = Task.Run(() => provider.ForceFlush(FlushGuardMilliseconds));
        await receiver.WaitForExportAttemptAsync(OtlpSignal.Traces, cancellation: guard.Token);

        // Kestrel's stop waits for running requests: without waking the held call first this would take the host's
        // whole shutdown timeout.
        await receiver.DisposeAsync().AsTask().WaitAsync(guard.Token);

        var answer = Assert.Single(receiver.ExportAnswers);
        Assert.Equal(OtlpExportOutcome.Abandoned, answer.Outcome);
        Assert.Empty(receiver.Spans);
        await flush.WaitAsync(guard.Token);
    }

    [Fact]
    public async Task WaitForSpanAsync_Cancelled_ThrowsNamingWhatArrived()
    {
        using var guard = new CancellationTokenSource(HangGuard);
        await using var receiver = await OtlpReceiver.StartAsync(cancellation: guard.Token);
        using var source = new ActivitySource(UniqueName("cancelled"));
        using var provider = Tracing(receiver, source.Name);
        source.StartActivity("arrived.span")!.Dispose();
        Assert.True(provider.ForceFlush(FlushGuardMilliseconds));
        await receiver.WaitForSpanAsync("arrived.span", cancellation: guard.Token);

        using var cancel = new CancellationTokenSource();
        var wait = receiver.WaitForSpanAsync("never.sent", cancellation: cancel.Token);
        Assert.False(wait.IsCompleted);
        await cancel.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
        Assert.Contains("'never.sent'", error.Message);
        Assert.Contains("'arrived.span'", error.Message);
    }

    [Fact]
    public async Task DisposeAsync_PendingWait_FailsWithObjectDisposed()
    {
        var receiver = await OtlpReceiver.StartAsync();
        var wait = receiver.WaitForMetricAsync("never.sent");

        await receiver.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => wait);
    }

    [Fact]
    public void GetInt_StringAttribute_ThrowsNamingKeyAndKind()
    {
        KeyValue[] attributes = [new() { Key = "rank", Value = new AnyValue { StringValue = "0" } }];

        var wrongType = Assert.Throws<InvalidOperationException>(() => Attributes.GetInt(attributes, "rank"));
        var missing = Assert.Throws<KeyNotFoundException>(() => Attributes.GetString(attributes, "phase"));

        Assert.Contains("'rank'", wrongType.Message);
        Assert.Contains("StringValue", wrongType.Message);
        Assert.Contains("'phase'", missing.Message);
        Assert.Contains("rank", missing.Message);
    }

    private static (T Result, TimeSpan Elapsed) Timed<T>(Func<T> action)
    {
        long start = Stopwatch.GetTimestamp();
        var result = action();
        return (result, Stopwatch.GetElapsedTime(start));
    }

    private static long NowUnixNanoseconds() => (long)UnixNanoseconds(DateTime.UtcNow);

    private static ulong UnixNanoseconds(DateTime utc) => (ulong)(utc - DateTime.UnixEpoch).Ticks * 100;
}
