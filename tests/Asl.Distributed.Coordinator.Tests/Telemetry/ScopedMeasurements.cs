using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Asl.Distributed.Coordinator.Tests.Telemetry;

/// <summary>
/// Every measurement of the instruments whose meter has <paramref name="scope"/> as its scope (one coordinator's, in a
/// process where other tests run their own), through a <see cref="MeterListener"/>, as the OpenTelemetry SDK listens.
/// </summary>
internal sealed class ScopedMeasurements : IDisposable
{
    private readonly MeterListener _listener = new();

    public ScopedMeasurements(object scope)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, scope))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        _listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        _listener.Start();
    }

    /// <summary>What was measured so far: instrument name, value and attributes.</summary>
    public ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> All { get; } = new();

    /// <summary>Reads the observable instruments (gauges) now; their values are added to <see cref="All"/>.</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var map = new Dictionary<string, object?>();
        foreach (var tag in tags)
            map[tag.Key] = tag.Value;
        All.Enqueue((instrument.Name, value, map));
    }
}
