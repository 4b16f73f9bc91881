using System.Diagnostics.Tracing;
using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Telemetry;

/// <summary>
/// Logs the first export failure the OpenTelemetry SDK reports (through its event sources: a collector down, slow or
/// refusing), once, with what it said; later ones are dropped silently, as their telemetry is.
/// </summary>
internal sealed partial class ExportFailureLog : EventListener
{
    private readonly ILogger _logger;
    private int _logged;

    public ExportFailureLog(ILogger logger)
    {
        _logger = logger;
        // Event sources created before the logger was set are enabled here too (OnEventSourceCreated runs from the
        // base constructor, before this one).
        foreach (var source in EventSource.GetSources())
            Enable(source);
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        base.OnEventSourceCreated(eventSource);
        if (_logger is not null)
            Enable(eventSource);
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.Level > EventLevel.Warning || Interlocked.Exchange(ref _logged, 1) == 1)
            return;
        string message = eventData.Message is { } format && eventData.Payload is { } payload
            ? string.Format(System.Globalization.CultureInfo.InvariantCulture, format, [.. payload])
            : eventData.EventName ?? "unknown";
        ExportFailed(_logger, eventData.EventSource.Name, message);
    }

    private void Enable(EventSource source)
    {
        if (source.Name.StartsWith("OpenTelemetry-Exporter-", StringComparison.Ordinal))
            EnableEvents(source, EventLevel.Warning);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "telemetry: an export failed ({Source}: {Reason}); further failures are not logged, and what they carried is dropped")]
    private static partial void ExportFailed(ILogger logger, string source, string reason);
}
