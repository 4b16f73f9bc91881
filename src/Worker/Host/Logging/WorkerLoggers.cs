using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Worker.Logging;

/// <summary>The logger factory of a worker command: its text lines on standard output and error, and the telemetry pipeline's logs where they are exported.</summary>
internal static class WorkerLoggers
{
    public static ILoggerFactory Create(TextWriter output, TextWriter error, LogLevel level, ILoggerProvider? telemetryLogs) => LoggerFactory.Create(builder =>
    {
        builder.AddProvider(new TextWriterLoggerProvider(output, error, "asl-worker")).SetMinimumLevel(level);
        if (telemetryLogs is not null)
            builder.AddProvider(telemetryLogs);
    });
}
