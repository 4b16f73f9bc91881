using Asl.Distributed.Telemetry;
using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Worker;

/// <summary>
/// The worker process's OpenTelemetry (see <see cref="TelemetryPipeline"/>): service <c>asl-worker</c>, with the
/// data-parallel rank on the resource when the process is one (<c>--rank r</c>).
/// </summary>
internal static class WorkerTelemetry
{
    public const string ServiceName = "asl-worker";

    public static TelemetryPipeline Start(string[] args, OtelEnvironment environment, ILogger diagnostics)
    {
        var attributes = new Dictionary<string, object>();
        int at = Array.IndexOf(args, "--rank");
        if (at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], System.Globalization.CultureInfo.InvariantCulture, out int rank))
            attributes[TelemetryNames.Rank] = rank;
        return TelemetryPipeline.Start(ServiceName, environment, attributes, diagnostics: diagnostics);
    }
}
