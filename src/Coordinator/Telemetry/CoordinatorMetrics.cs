using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Asl.Distributed.Coordinator.Trials;
using Asl.Distributed.Telemetry;

namespace Asl.Distributed.Coordinator.Telemetry;

/// <summary>
/// The coordinator's instruments, under <see cref="TelemetryNames.CoordinatorMeter"/>: trials by state (per sweep),
/// the gang queue's length, how long each attempt waited for its gang, the workers registered and the heartbeats
/// missed. The grains report what they stored; the gauges read the last report when the SDK collects (a callback
/// never calls a grain).
/// </summary>
public sealed class CoordinatorMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<TrialStatus, int>> _trials = new();
    private readonly Histogram<double> _gangWait;
    private readonly Counter<long> _heartbeatsMissed;
    private int _workers;
    private int _queue;

    public CoordinatorMetrics()
    {
        // Scoped to this instance: a listener (a test with several coordinators in one process) can tell them apart.
        _meter = new Meter(new MeterOptions(TelemetryNames.CoordinatorMeter) { Scope = this });
        _meter.CreateObservableGauge(TelemetryNames.Trials.Name, ObserveTrials, TelemetryNames.Trials.Unit, TelemetryNames.Trials.Description);
        _meter.CreateObservableGauge(TelemetryNames.QueueLength.Name, () => Volatile.Read(ref _queue), TelemetryNames.QueueLength.Unit, TelemetryNames.QueueLength.Description);
        _meter.CreateObservableGauge(TelemetryNames.WorkersRegistered.Name, () => Volatile.Read(ref _workers), TelemetryNames.WorkersRegistered.Unit, TelemetryNames.WorkersRegistered.Description);
        _gangWait = _meter.CreateHistogram(TelemetryNames.GangWait.Name, TelemetryNames.GangWait.Unit, TelemetryNames.GangWait.Description, tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600] });
        _heartbeatsMissed = _meter.CreateCounter<long>(TelemetryNames.HeartbeatsMissed.Name, TelemetryNames.HeartbeatsMissed.Unit, TelemetryNames.HeartbeatsMissed.Description);
    }

    /// <summary>The registry's workers and queue, as stored.</summary>
    public void Registry(int workers, int queued)
    {
        Volatile.Write(ref _workers, workers);
        Volatile.Write(ref _queue, queued);
    }

    /// <summary>An attempt of a trial of <paramref name="sweepId"/> got its gang after <paramref name="waited"/>.</summary>
    public void GangAllocated(string sweepId, TimeSpan waited) =>
        _gangWait.Record(Math.Max(0, waited.TotalSeconds), new TagList { { TelemetryNames.SweepId, sweepId } });

    /// <summary><paramref name="count"/> workers were dropped for silence.</summary>
    public void WorkersDropped(int count) => _heartbeatsMissed.Add(count);

    /// <summary>A sweep's trials by state, as stored.</summary>
    public void SweepTrials(string sweepId, IEnumerable<TrialStatus> statuses) =>
        _trials[sweepId] = statuses.GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<int>> ObserveTrials()
    {
        foreach (var (sweep, counts) in _trials)
        {
            foreach (var status in Enum.GetValues<TrialStatus>())
                yield return new Measurement<int>(counts.GetValueOrDefault(status), new TagList { { TelemetryNames.SweepId, sweep }, { TelemetryNames.TrialState, status.ToString().ToLowerInvariant() } });
        }
    }
}
