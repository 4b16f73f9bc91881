using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Coordinator.Telemetry;
using Asl.Distributed.Coordinator.Tests.Api;
using Asl.Distributed.Telemetry;
using Grpc.Core;

namespace Asl.Distributed.Coordinator.Tests.Telemetry;

/// <summary>
/// The coordinator's instruments through a real sweep on the real API, caught by a <see cref="MeterListener"/> (the
/// API the OpenTelemetry SDK listens through) on this coordinator's meter alone: after a worker is dropped for silence
/// and a three-trial grid has run on the other, they say what the registry and the sweep stored.
/// </summary>
public sealed class CoordinatorMetricsTests
{
    /// <summary>Long enough that a worker heartbeating every 100 ms is never dropped on a loaded machine; the silent one is waited for.</summary>
    private static readonly TimeSpan HeartbeatTimeout = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task Metrics_AfterADroppedWorkerAndAFinishedSweep_MatchWhatWasStored()
    {
        await using var coordinator = await TestCoordinator.Start(heartbeatTimeout: HeartbeatTimeout);
        using var recorded = new ScopedMeasurements(coordinator.Metrics);
        var measurements = recorded.All;

        // The silent worker is dropped before the one that stays joins: the one that stays only has to outlast the
        // sweep, heartbeating far more often than the timeout however loaded the machine.
        var client = coordinator.WorkerClient();
        await using var quiet = new SimulatedWorker(client, "quiet", 29502);
        await quiet.Register();
        using (var orders = client.Assignments(new AssignmentsRequest { WorkerId = "quiet" }))
        {
            // Dropping a worker closes its order stream: the event to wait on.
            Assert.False(await orders.ResponseStream.MoveNext(CancellationToken.None));
        }
        await using var worker = new SimulatedWorker(client, "w1", 29501);
        await worker.Join();
        worker.StartHeartbeats(TimeSpan.FromMilliseconds(100));

        await coordinator.Client().SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = Specs.Grid("grid", 1, values: [1, 2, 3]) });
        for (int i = 0; i < 3; i++)
        {
            var start = await worker.NextStart();
            Assert.True((await worker.Report(start, 1, 50 + i)).Proceed);
            await worker.Complete(start);
        }
        using (var guard = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
        {
            var watch = coordinator.Client().WatchSweep(new WatchSweepRequest { SweepId = "grid" }, cancellationToken: guard.Token);
            await foreach (var _ in watch.ResponseStream.ReadAllAsync(guard.Token))
            {
            }
        }

        measurements.Clear();
        recorded.Observe();

        double Gauge(string name, params (string Key, object Value)[] tags) => Assert.Single(measurements,
            m => m.Instrument == name && tags.All(t => Equals(m.Tags.GetValueOrDefault(t.Key), t.Value))).Value;
        Assert.Equal(1, Gauge(TelemetryNames.WorkersRegistered.Name));
        Assert.Equal(0, Gauge(TelemetryNames.QueueLength.Name));
        Assert.Equal(3, Gauge(TelemetryNames.Trials.Name, (TelemetryNames.SweepId, "grid"), (TelemetryNames.TrialState, "completed")));
        foreach (string state in new[] { "pending", "scheduled", "running", "stopped", "failed", "cancelled" })
            Assert.Equal(0, Gauge(TelemetryNames.Trials.Name, (TelemetryNames.SweepId, "grid"), (TelemetryNames.TrialState, state)));
    }

    [Fact]
    public async Task Metrics_GangWaitsAndMissedHeartbeats_AreRecordedAsTheyHappen()
    {
        await using var coordinator = await TestCoordinator.Start(heartbeatTimeout: HeartbeatTimeout);
        using var recorded = new ScopedMeasurements(coordinator.Metrics);

        var client = coordinator.WorkerClient();
        await using var quiet = new SimulatedWorker(client, "quiet", 29502);
        await quiet.Register();
        using (var orders = client.Assignments(new AssignmentsRequest { WorkerId = "quiet" }))
            Assert.False(await orders.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(1, recorded.All.Where(m => m.Instrument == TelemetryNames.HeartbeatsMissed.Name).Sum(m => m.Value));

        await using var worker = new SimulatedWorker(client, "w1", 29501);
        await worker.Join();
        worker.StartHeartbeats(TimeSpan.FromMilliseconds(100));
        await coordinator.Client().SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = Specs.Grid("waits", 1, values: [1, 2]) });
        for (int i = 0; i < 2; i++)
        {
            var start = await worker.NextStart();
            await worker.Report(start, 1, 50);
            await worker.Complete(start);
        }

        // Each attempt's gang is recorded before the worker is told: two waits, of this sweep.
        var waits = recorded.All.Where(m => m.Instrument == TelemetryNames.GangWait.Name).ToList();
        Assert.Equal(2, waits.Count);
        Assert.All(waits, w => Assert.Equal("waits", w.Tags[TelemetryNames.SweepId]));
        Assert.All(waits, w => Assert.True(w.Value >= 0));
    }
}
