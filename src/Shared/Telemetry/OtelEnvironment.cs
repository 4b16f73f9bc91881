namespace Asl.Distributed.Telemetry;

/// <summary>
/// The standard OpenTelemetry environment variables that decide what a process exports, read and checked at start:
/// <c>OTEL_SDK_DISABLED</c>; <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or a signal's own
/// <c>OTEL_EXPORTER_OTLP_{TRACES,METRICS,LOGS}_ENDPOINT</c>) and <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>;
/// <c>OTEL_{TRACES,METRICS,LOGS}_EXPORTER</c> (otlp, console, none; by default otlp where an endpoint is set and
/// nothing otherwise); <c>OTEL_METRIC_EXPORT_INTERVAL</c>. <c>OTEL_SERVICE_NAME</c>, <c>OTEL_RESOURCE_ATTRIBUTES</c>
/// and the exporter's own variables (headers, timeout) are applied by the SDK itself. A value outside the allowed
/// ones throws a <see cref="TelemetrySettingsException"/> naming the variable.
/// </summary>
public sealed record OtelEnvironment(bool Disabled, TelemetryExporters Traces, TelemetryExporters Metrics, TelemetryExporters Logs, TimeSpan? MetricExportInterval)
{
    /// <summary>Nothing exported.</summary>
    public static OtelEnvironment Off { get; } = new(true, TelemetryExporters.None, TelemetryExporters.None, TelemetryExporters.None, null);

    /// <summary>Whether any signal is exported anywhere.</summary>
    public bool AnyExport => !Disabled && (Traces != TelemetryExporters.None || Metrics != TelemetryExporters.None || Logs != TelemetryExporters.None);

    /// <summary>Reads this process's environment.</summary>
    public static OtelEnvironment Read() => Read(Environment.GetEnvironmentVariable);

    /// <summary>Reads the variables through <paramref name="variable"/> (null or empty: unset).</summary>
    public static OtelEnvironment Read(Func<string, string?> variable)
    {
        string? Get(string name) => variable(name) is { Length: > 0 } value ? value.Trim() : null;

        bool disabled = Get("OTEL_SDK_DISABLED") switch
        {
            null => false,
            var v when v.Equals("true", StringComparison.OrdinalIgnoreCase) => true,
            var v when v.Equals("false", StringComparison.OrdinalIgnoreCase) => false,
            var v => throw new TelemetrySettingsException("OTEL_SDK_DISABLED", $"is '{v}'; allowed: true, false"),
        };
        if (Get("OTEL_EXPORTER_OTLP_PROTOCOL") is { } protocol && protocol is not ("grpc" or "http/protobuf"))
            throw new TelemetrySettingsException("OTEL_EXPORTER_OTLP_PROTOCOL", $"is '{protocol}'; allowed: grpc, http/protobuf");
        bool anyEndpoint = Get("OTEL_EXPORTER_OTLP_ENDPOINT") is not null;
        foreach (string name in new[] { "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT" })
        {
            if (Get(name) is { } endpoint && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
                throw new TelemetrySettingsException(name, $"is '{endpoint}'; allowed: an http:// or https:// URL, such as http://localhost:4317");
        }
        TelemetryExporters Signal(string signal)
        {
            bool endpoint = anyEndpoint || Get($"OTEL_EXPORTER_OTLP_{signal}_ENDPOINT") is not null;
            string name = $"OTEL_{signal}_EXPORTER";
            return Get(name) is { } list ? Parse(name, list) : endpoint ? TelemetryExporters.Otlp : TelemetryExporters.None;
        }
        var traces = Signal("TRACES");
        var metrics = Signal("METRICS");
        var logs = Signal("LOGS");
        TimeSpan? interval = Get("OTEL_METRIC_EXPORT_INTERVAL") is { } text
            ? int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int ms) && ms >= 1
                ? TimeSpan.FromMilliseconds(ms)
                : throw new TelemetrySettingsException("OTEL_METRIC_EXPORT_INTERVAL", $"is '{text}'; allowed: an integer number of milliseconds >= 1")
            : null;
        return disabled ? Off with { MetricExportInterval = interval } : new OtelEnvironment(false, traces, metrics, logs, interval);
    }

    private static TelemetryExporters Parse(string name, string list)
    {
        var exporters = TelemetryExporters.None;
        foreach (string item in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            exporters |= item.ToLowerInvariant() switch
            {
                "otlp" => TelemetryExporters.Otlp,
                "console" => TelemetryExporters.Console,
                "none" => TelemetryExporters.None,
                _ => throw new TelemetrySettingsException(name, $"names '{item}'; allowed: otlp, console, none (comma-separated)"),
            };
        }
        return exporters;
    }
}
