using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Telemetry;

/// <summary>
/// Lets a host's own logger factory (with its levels and filters) send its records into the telemetry pipeline's
/// logger factory, which holds the OpenTelemetry logger provider; the pipeline owns and ends that factory.
/// </summary>
internal sealed class ForwardingLoggerProvider(ILoggerFactory target) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => target.CreateLogger(categoryName);

    public void Dispose()
    {
    }
}
