using System.Collections.Concurrent;
using System.Diagnostics;
using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Coordinator.Tests.Api;
using Asl.Distributed.Telemetry;
using Grpc.Core;

namespace Asl.Distributed.Coordinator.Tests.Telemetry;

/// <summary>
/// The coordinator's spans of a real sweep on the real API, caught by an <see cref="ActivityListener"/> (what the
/// OpenTelemetry SDK listens through): sweep → trial (with its settings and seed) → attempt, and the attempt's W3C
/// context in each assignment, which is how the ranks' spans join the trace.
/// </summary>
public sealed class SweepTracesTests
{
    [Fact]
    public async Task GridSweep_SpansNestSweepTrialAttemptAndTheAssignmentCarriesTheAttemptsContext()
    {
        var ended = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == TelemetryNames.ActivitySource,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = ended.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var coordinator = await TestCoordinator.Start();
        await using var worker = new SimulatedWorker(coordinator.WorkerClient(), "w1", 29501);
        await worker.Join();

        await coordinator.Client().SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = Specs.Grid("traced", 1, values: [1, 2]) });
        var contexts = new List<string>();
        for (int i = 0; i < 2; i++)
        {
            var start = await worker.NextStart();
            contexts.Add(start.Traceparent);
            await worker.Report(start, 1, 50 + i);
            await worker.Complete(start);
        }
        using (var guard = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
        {
            var watch = coordinator.Client().WatchSweep(new WatchSweepRequest { SweepId = "traced" }, cancellationToken: guard.Token);
            await foreach (var _ in watch.ResponseStream.ReadAllAsync(guard.Token))
            {
            }
        }

        // The sweep's span ends with its last event; other tests' coordinators in this process have other sweeps.
        var sweep = Assert.Single(ended, a => a.OperationName == "asl.sweep" && Equals(a.GetTagItem(TelemetryNames.SweepId), "traced"));
        Assert.Equal(default, sweep.ParentSpanId);
        var trials = ended.Where(a => a.OperationName == "asl.trial" && a.TraceId == sweep.TraceId).OrderBy(a => a.GetTagItem("asl.trial.index")).ToList();
        Assert.Equal(2, trials.Count);
        Assert.All(trials, t => Assert.Equal(sweep.SpanId, t.ParentSpanId));
        Assert.Equal(["1", "2"], trials.Select(t => t.GetTagItem("asl.trial.setting.loss.gamma_neg")));
        Assert.All(trials, t => Assert.IsType<long>(t.GetTagItem("asl.trial.seed")));
        Assert.All(trials, t => Assert.Equal("completed", t.GetTagItem("asl.outcome")));
        var attempts = ended.Where(a => a.OperationName == "asl.attempt" && a.TraceId == sweep.TraceId).ToList();
        Assert.Equal(2, attempts.Count);
        foreach (var attempt in attempts)
            Assert.Contains(trials, t => t.SpanId == attempt.ParentSpanId && Equals(t.GetTagItem(TelemetryNames.TrialId), attempt.GetTagItem(TelemetryNames.TrialId)));
        // Each assignment carried its attempt's span as the W3C parent of the ranks' spans.
        Assert.Equal(attempts.Select(a => a.Id).Order(), contexts.Order());
    }
}
