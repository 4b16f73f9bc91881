using Asl.Distributed.Otlp.Testing;
using Asl.Distributed.Otlp.Testing.Proto.Metrics;

namespace Asl.Distributed.Coordinator.Tests.EndToEnd;

/// <summary>
/// OpenTelemetry from every process of a real sweep, as a user with a collector sees it: <c>asl sweep run</c> with two
/// local workers trains one trial on two ranks while a real OTLP/gRPC receiver in this test is the collector
/// (OTEL_EXPORTER_OTLP_ENDPOINT, inherited by the workers). The coordinator's and both ranks' metrics, spans and logs
/// arrive with the project's names, units and attributes, and the spans form one trace: sweep → trial → attempt on the
/// coordinator, each rank's span under the attempt, its epochs under it.
/// </summary>
public sealed class TelemetryEndToEndTests : IDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(3);
    private readonly string _folder = Directory.CreateTempSubdirectory("asl-telemetry-e2e-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task SweepRun_TwoRankTrialWithACollector_EveryProcessSendsMetricsLogsAndOneTrace()
    {
        await using var collector = await OtlpReceiver.StartAsync();
        File.WriteAllText(Path.Combine(_folder, "traced.yaml"), EndToEndSpecs.TwoRanks("traced", 2, 4));
        var start = Programs.Start(Programs.Asl, _folder, "sweep", "run", "traced.yaml", "--local-workers", "2", "--dir", Path.Combine(_folder, "coordinator"));
        start.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint.ToString();

        using (var run = new RunningProcess(start))
            Assert.True(await run.WaitForExit() == 0, run.Output);

        using var guard = new CancellationTokenSource(Guard);
        // Metrics: both ranks' step times (seconds, per rank and trial), rank 0's mAP, the coordinator's trial counts.
        foreach (long rank in new long[] { 0, 1 })
        {
            var steps = await collector.WaitForMetricAsync("asl.train.step.duration",
                m => m.ServiceName == "asl-worker" && m.Metric.Histogram?.DataPoints.Any(p => Attributes.GetInt(p.Attributes, "asl.rank") == rank) == true, guard.Token);
            Assert.Equal("s", steps.Metric.Unit);
            var point = steps.Metric.Histogram.DataPoints.First(p => Attributes.GetInt(p.Attributes, "asl.rank") == rank);
            Assert.Equal("traced", Attributes.GetString(point.Attributes, "asl.sweep.id"));
            Assert.Equal("traced.0000", Attributes.GetString(point.Attributes, "asl.trial.id"));
            Assert.Equal(8UL, point.Count); // 64 images, batch 16, 2 epochs
        }
        var map = await collector.WaitForMetricAsync("asl.eval.map", m => m.ServiceName == "asl-worker", guard.Token);
        Assert.Equal("%", map.Metric.Unit);
        Assert.All(map.Metric.Gauge.DataPoints, p => Assert.Equal(0, Attributes.GetInt(p.Attributes, "asl.rank")));
        var trials = await collector.WaitForMetricAsync("asl.trials", m => m.ServiceName == "asl-coordinator", guard.Token);
        Assert.Equal("{trial}", trials.Metric.Unit);
        Assert.Contains(trials.Metric.Gauge.DataPoints, p => Attributes.GetString(p.Attributes, "asl.trial.state") == "completed" && p.AsInt == 1);

        // One trace: sweep → trial → attempt (coordinator) → a span per rank (workers) → its epochs.
        var sweep = await collector.WaitForSpanAsync("asl.sweep", s => s.ServiceName == "asl-coordinator", guard.Token);
        Assert.Empty(sweep.ParentSpanId);
        var trial = await collector.WaitForSpanAsync("asl.trial", s => s.TraceId == sweep.TraceId, guard.Token);
        Assert.Equal(sweep.SpanId, trial.ParentSpanId);
        Assert.Equal("4", Attributes.GetString(trial.Span.Attributes, "asl.trial.setting.loss.gamma_neg"));
        var attempt = await collector.WaitForSpanAsync("asl.attempt", s => s.TraceId == sweep.TraceId, guard.Token);
        Assert.Equal(trial.SpanId, attempt.ParentSpanId);
        foreach (long rank in new long[] { 0, 1 })
        {
            var rankSpan = await collector.WaitForSpanAsync("asl.rank",
                s => s.TraceId == sweep.TraceId && Attributes.GetInt(s.Span.Attributes, "asl.rank") == rank, guard.Token);
            Assert.Equal("asl-worker", rankSpan.ServiceName);
            Assert.Equal(attempt.SpanId, rankSpan.ParentSpanId);
            foreach (long epoch in new long[] { 1, 2 })
            {
                var epochSpan = await collector.WaitForSpanAsync("asl.epoch",
                    s => s.ParentSpanId == rankSpan.SpanId && Attributes.GetInt(s.Span.Attributes, "asl.epoch") == epoch, guard.Token);
                Assert.Equal(sweep.TraceId, epochSpan.TraceId);
            }
        }

        // Each worker process is one service instance on both signals.
        string Instance(Otlp.Testing.Proto.Resource.Resource resource) => Attributes.GetString(resource.Attributes, "service.instance.id");
        var spanInstances = collector.Spans.Where(s => s.Span.Name == "asl.rank" && s.TraceId == sweep.TraceId).Select(s => Instance(s.Resource)).ToHashSet();
        var metricInstances = collector.Metrics.Where(m => m.Metric.Name == "asl.train.step.duration").Select(m => Instance(m.Resource)).ToHashSet();
        Assert.Equal(2, spanInstances.Count);
        Assert.True(spanInstances.SetEquals(metricInstances), $"span instances {string.Join(",", spanInstances)}, metric instances {string.Join(",", metricInstances)}");

        // Logs: the workers' lines go through the same pipeline.
        var log = await collector.WaitForLogAsync(l => l.ServiceName == "asl-worker" && l.Body?.StartsWith("data: 64 training and 32 validation images", StringComparison.Ordinal) == true, guard.Token);
        Assert.Equal("Information", log.Record.SeverityText);
    }
}
