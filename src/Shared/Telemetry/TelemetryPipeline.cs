using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Asl.Distributed.Telemetry;

/// <summary>
/// One process's OpenTelemetry, set up in one place for every host (as .NET Aspire's ServiceDefaults do): the resource
/// (<c>service.name</c>, <c>service.instance.id</c>, <c>host.name</c>, and the rank or other attributes where they
/// apply; <c>OTEL_SERVICE_NAME</c> and <c>OTEL_RESOURCE_ATTRIBUTES</c> win over them), the project's meters and
/// activity source with .NET runtime and gRPC client instrumentation (a host adds its own, such as ASP.NET Core's),
/// and the exporters <see cref="OtelEnvironment"/> names: OTLP where an endpoint is set, the console by
/// <c>OTEL_{TRACES,METRICS,LOGS}_EXPORTER=console</c>, nothing otherwise. Logs from Microsoft.Extensions.Logging
/// go the same way through <see cref="LoggerProvider"/>.
/// </summary>
/// <remarks>
/// Exports run on the SDK's own threads: recording a metric or ending a span never waits for a collector. A collector
/// that is down, slow or refusing costs at most <see cref="ShutdownTimeout"/> when the process ends (the providers are
/// shut down side by side), and its first failure is logged once (<see cref="ExportFailureLog"/>).
/// </remarks>
public sealed class TelemetryPipeline : IDisposable
{
    /// <summary>How long ending the process may wait for the last exports.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(3);

    private readonly TracerProvider? _tracing;
    private readonly MeterProvider? _metrics;
    private readonly ILoggerFactory? _logs;
    private readonly ExportFailureLog? _failures;

    private TelemetryPipeline(OtelEnvironment environment, TracerProvider? tracing, MeterProvider? metrics, ILoggerFactory? logs, ExportFailureLog? failures)
    {
        Environment = environment;
        _tracing = tracing;
        _metrics = metrics;
        _logs = logs;
        _failures = failures;
        LoggerProvider = logs is null ? null : new ForwardingLoggerProvider(logs);
    }

    /// <summary>What the environment asked for.</summary>
    public OtelEnvironment Environment { get; }

    /// <summary>The provider that sends a host's logs through the pipeline; null when logs are not exported.</summary>
    public ILoggerProvider? LoggerProvider { get; }

    /// <summary>
    /// Starts the pipeline for <paramref name="serviceName"/> as <paramref name="environment"/> says (nothing at all
    /// when it exports nothing). <paramref name="attributes"/> go on the resource; <paramref name="tracing"/> and
    /// <paramref name="metrics"/> add a host's own instrumentation; <paramref name="diagnostics"/> gets the one line
    /// about a failing export.
    /// </summary>
    public static TelemetryPipeline Start(string serviceName, OtelEnvironment environment, IReadOnlyDictionary<string, object>? attributes = null,
        Action<TracerProviderBuilder>? tracing = null, Action<MeterProviderBuilder>? metrics = null, ILogger? diagnostics = null)
    {
        if (!environment.AnyExport)
            return new TelemetryPipeline(environment, null, null, null, null);
        var failures = diagnostics is null ? null : new ExportFailureLog(diagnostics);
        string instance = Guid.NewGuid().ToString("N"); // one per process, the same on its traces, metrics and logs
        void Resource(ResourceBuilder resource) => resource
            .AddService(serviceName, serviceInstanceId: instance)
            .AddAttributes([new("host.name", System.Environment.MachineName), .. attributes ?? new Dictionary<string, object>()])
            .AddEnvironmentVariableDetector();

        TracerProvider? tracerProvider = null;
        if (environment.Traces != TelemetryExporters.None)
        {
            var builder = Sdk.CreateTracerProviderBuilder().ConfigureResource(Resource).AddSource(TelemetryNames.ActivitySource).AddGrpcClientInstrumentation();
            tracing?.Invoke(builder);
            if (environment.Traces.HasFlag(TelemetryExporters.Otlp))
                builder.AddOtlpExporter();
            if (environment.Traces.HasFlag(TelemetryExporters.Console))
                builder.AddConsoleExporter();
            tracerProvider = builder.Build();
        }

        MeterProvider? meterProvider = null;
        if (environment.Metrics != TelemetryExporters.None)
        {
            var builder = Sdk.CreateMeterProviderBuilder().ConfigureResource(Resource)
                .AddMeter(TelemetryNames.TrainingMeter, TelemetryNames.CoordinatorMeter).AddRuntimeInstrumentation();
            metrics?.Invoke(builder);
            void Interval(MetricReaderOptions reader)
            {
                if (environment.MetricExportInterval is { } interval)
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)Math.Min(int.MaxValue, interval.TotalMilliseconds);
            }
            if (environment.Metrics.HasFlag(TelemetryExporters.Otlp))
                builder.AddOtlpExporter((_, reader) => Interval(reader));
            if (environment.Metrics.HasFlag(TelemetryExporters.Console))
                builder.AddConsoleExporter((_, reader) => Interval(reader));
            meterProvider = builder.Build();
        }

        ILoggerFactory? logs = null;
        if (environment.Logs != TelemetryExporters.None)
        {
            logs = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Trace).AddOpenTelemetry(options =>
            {
                var resource = ResourceBuilder.CreateEmpty();
                Resource(resource);
                options.SetResourceBuilder(resource);
                options.IncludeFormattedMessage = true;
                options.IncludeScopes = true;
                if (environment.Logs.HasFlag(TelemetryExporters.Otlp))
                    options.AddOtlpExporter();
                if (environment.Logs.HasFlag(TelemetryExporters.Console))
                    options.AddConsoleExporter();
            }));
        }
        return new TelemetryPipeline(environment, tracerProvider, meterProvider, logs, failures);
    }

    /// <summary>Exports what is pending now (tests, and a run's end), waiting at most <paramref name="timeout"/>.</summary>
    public void Flush(TimeSpan timeout)
    {
        int ms = (int)timeout.TotalMilliseconds;
        Task.WaitAll(
            Task.Run(() => _tracing?.ForceFlush(ms)),
            Task.Run(() => _metrics?.ForceFlush(ms)));
    }

    /// <summary>
    /// Shuts the providers down side by side, waiting at most <see cref="ShutdownTimeout"/> in all for their last
    /// exports: the logs' provider has only the SDK's own grace period (5 s), so what it has not sent by then is left
    /// to the process's end.
    /// </summary>
    public void Dispose()
    {
        int ms = (int)ShutdownTimeout.TotalMilliseconds;
        var shutdown = Task.WhenAll(
            Task.Run(() => _tracing?.Shutdown(ms)),
            Task.Run(() => _metrics?.Shutdown(ms)),
            Task.Run(() => _logs?.Dispose()));
        // A little over the providers' own limit, for the tasks to start on a loaded machine.
        if (shutdown.Wait(ShutdownTimeout + TimeSpan.FromSeconds(1)))
        {
            _tracing?.Dispose();
            _metrics?.Dispose();
        }
        _failures?.Dispose();
    }
}
