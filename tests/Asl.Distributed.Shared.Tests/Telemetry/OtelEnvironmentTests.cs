using Asl.Distributed.Telemetry;

namespace Asl.Distributed.Shared.Tests.Telemetry;

/// <summary>The OTEL_* variables that decide what a process exports, and the errors that name a bad one.</summary>
public sealed class OtelEnvironmentTests
{
    private static OtelEnvironment Read(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value);
        return OtelEnvironment.Read(name => map.GetValueOrDefault(name));
    }

    [Fact]
    public void Read_NothingSet_ExportsNothing()
    {
        var environment = Read();

        Assert.False(environment.AnyExport);
        Assert.Equal((TelemetryExporters.None, TelemetryExporters.None, TelemetryExporters.None), (environment.Traces, environment.Metrics, environment.Logs));
        Assert.Null(environment.MetricExportInterval);
    }

    [Fact]
    public void Read_EndpointSet_EverySignalGoesByOtlp()
    {
        var environment = Read(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"));

        Assert.True(environment.AnyExport);
        Assert.Equal((TelemetryExporters.Otlp, TelemetryExporters.Otlp, TelemetryExporters.Otlp), (environment.Traces, environment.Metrics, environment.Logs));
    }

    [Fact]
    public void Read_OneSignalsEndpointAndAnotherToTheConsole_EachAsSaid()
    {
        var environment = Read(("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://collector:4318/v1/metrics"), ("OTEL_LOGS_EXPORTER", "console"),
            ("OTEL_METRIC_EXPORT_INTERVAL", "1500"));

        Assert.Equal(TelemetryExporters.None, environment.Traces);
        Assert.Equal(TelemetryExporters.Otlp, environment.Metrics);
        Assert.Equal(TelemetryExporters.Console, environment.Logs);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), environment.MetricExportInterval);
    }

    [Fact]
    public void Read_ExporterList_CombinesOtlpAndConsoleAndNoneTurnsASignalOff()
    {
        var environment = Read(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"), ("OTEL_TRACES_EXPORTER", "otlp, console"), ("OTEL_LOGS_EXPORTER", "none"));

        Assert.Equal(TelemetryExporters.Otlp | TelemetryExporters.Console, environment.Traces);
        Assert.Equal(TelemetryExporters.Otlp, environment.Metrics);
        Assert.Equal(TelemetryExporters.None, environment.Logs);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("TRUE")]
    public void Read_SdkDisabled_ExportsNothingWhateverElseIsSet(string value)
    {
        var environment = Read(("OTEL_SDK_DISABLED", value), ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"), ("OTEL_TRACES_EXPORTER", "console"));

        Assert.True(environment.Disabled);
        Assert.False(environment.AnyExport);
    }

    [Theory]
    [InlineData("OTEL_SDK_DISABLED", "yes", "is 'yes'; allowed: true, false")]
    [InlineData("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json", "is 'http/json'; allowed: grpc, http/protobuf")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317", "is 'collector:4317'; allowed: an http:// or https:// URL, such as http://localhost:4317")]
    [InlineData("OTEL_TRACES_EXPORTER", "otlp,zipkin", "names 'zipkin'; allowed: otlp, console, none (comma-separated)")]
    [InlineData("OTEL_METRIC_EXPORT_INTERVAL", "0", "is '0'; allowed: an integer number of milliseconds >= 1")]
    [InlineData("OTEL_METRIC_EXPORT_INTERVAL", "1.5s", "is '1.5s'; allowed: an integer number of milliseconds >= 1")]
    public void Read_BadValue_ThrowsNamingTheVariableAndTheAllowedValues(string variable, string value, string problem)
    {
        var e = Assert.Throws<TelemetrySettingsException>(() => Read((variable, value)));

        Assert.Equal(variable, e.Variable);
        Assert.Equal($"{variable} {problem}", e.Message);
    }
}
