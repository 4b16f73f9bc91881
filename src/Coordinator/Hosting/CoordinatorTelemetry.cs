using Asl.Distributed.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Asl.Distributed.Coordinator.Hosting;

/// <summary>
/// The coordinator's OpenTelemetry (see <see cref="TelemetryPipeline"/>): service <c>asl-coordinator</c>, with
/// ASP.NET Core's and Kestrel's instrumentation and Orleans' meters and activity sources beside the project's own.
/// </summary>
internal static class CoordinatorTelemetry
{
    public const string ServiceName = "asl-coordinator";

    public static TelemetryPipeline Start(OtelEnvironment environment, ILogger? diagnostics) =>
        TelemetryPipeline.Start(ServiceName, environment,
            tracing: tracing => tracing.AddAspNetCoreInstrumentation().AddSource("Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"),
            metrics: metrics => metrics.AddAspNetCoreInstrumentation().AddMeter("Microsoft.Orleans", "Microsoft.AspNetCore.Server.Kestrel"),
            diagnostics: diagnostics ?? NullLogger.Instance);
}
