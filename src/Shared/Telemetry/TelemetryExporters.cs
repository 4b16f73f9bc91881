namespace Asl.Distributed.Telemetry;

/// <summary>Where one signal (traces, metrics or logs) goes.</summary>
[Flags]
public enum TelemetryExporters
{
    /// <summary>Nowhere.</summary>
    None = 0,

    /// <summary>An OTLP collector (the endpoint of <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>).</summary>
    Otlp = 1,

    /// <summary>Standard output, for local runs.</summary>
    Console = 2,
}
