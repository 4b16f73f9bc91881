using Asl.Distributed.Otlp.Testing;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Asl.Distributed.Coordinator.Tests.Telemetry;

/// <summary>
/// OpenTelemetry SDK providers with the real OTLP exporter over gRPC, pointed at a test receiver. Exports happen only
/// on ForceFlush or Shutdown (the periodic interval is infinite), so a test triggers them itself.
/// </summary>
internal static class ExporterPipelines
{
    public const string ServiceName = "asl-otlp-receiver-test";

    /// <summary>A resource attribute besides service.name, typed int, to see resource attributes arrive with their type.</summary>
    public const string RankAttribute = "asl.rank";

    public const int Rank = 1;

    public static string UniqueName(string what) => $"Asl.Tests.Otlp.{what}.{Guid.NewGuid():N}";

    public static void ConfigureResource(ResourceBuilder resource) =>
        resource.AddService(ServiceName).AddAttributes([new(RankAttribute, Rank)]);

    public static void PointAt(OtlpExporterOptions exporter, OtlpReceiver receiver, int timeoutMilliseconds = 60_000)
    {
        exporter.Endpoint = receiver.Endpoint;
        exporter.Protocol = OtlpExportProtocol.Grpc;
        exporter.TimeoutMilliseconds = timeoutMilliseconds;
    }

    public static TracerProvider Tracing(OtlpReceiver receiver, string sourceName, int exportTimeoutMilliseconds = 60_000) =>
        Sdk.CreateTracerProviderBuilder()
            .ConfigureResource(ConfigureResource)
            .AddSource(sourceName)
            .AddOtlpExporter(exporter => PointAt(exporter, receiver, exportTimeoutMilliseconds))
            .Build();

    public static MeterProvider Metrics(OtlpReceiver receiver, string meterName, string histogramName, double[] histogramBounds) =>
        Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(ConfigureResource)
            .AddMeter(meterName)
            .AddView(histogramName, new ExplicitBucketHistogramConfiguration { Boundaries = histogramBounds })
            .AddOtlpExporter((exporter, reader) =>
            {
                PointAt(exporter, receiver);
                reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = Timeout.Infinite;
            })
            .Build();
}
