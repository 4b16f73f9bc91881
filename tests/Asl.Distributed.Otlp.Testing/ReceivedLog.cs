using Asl.Distributed.Otlp.Testing.Proto.Common;
using Asl.Distributed.Otlp.Testing.Proto.Logs;
using Asl.Distributed.Otlp.Testing.Proto.Resource;

namespace Asl.Distributed.Otlp.Testing;

/// <summary>One log record as it arrived, with the resource and the scope (logger category) it was sent under.</summary>
/// <param name="ResourceLogs">The request's resource group that held the record.</param>
/// <param name="ScopeLogs">The scope group that held the record.</param>
/// <param name="Record">The log record: time, severity, body, attributes and the span it was written in.</param>
public sealed record ReceivedLog(ResourceLogs ResourceLogs, ScopeLogs ScopeLogs, LogRecord Record)
{
    /// <summary>The resource (service.name and the rest); empty when the exporter sent none.</summary>
    public Resource Resource => ResourceLogs.Resource ?? new Resource();

    /// <summary>The instrumentation scope; the .NET SDK names it after the logger's category.</summary>
    public InstrumentationScope Scope => ScopeLogs.Scope ?? new InstrumentationScope();

    /// <summary>The resource's service.name, or null when it has none.</summary>
    public string? ServiceName => Attributes.Find(Resource.Attributes, "service.name")?.StringValue;

    /// <summary>The body as text when it is a string; null otherwise.</summary>
    public string? Body => Record.Body?.ValueCase == AnyValue.ValueOneofCase.StringValue ? Record.Body.StringValue : null;

    /// <summary>The id of the trace the record was written in, lowercase hex; empty outside a span.</summary>
    public string TraceId => OtlpIds.Hex(Record.TraceId);

    /// <summary>The id of the span the record was written in, lowercase hex; empty outside a span.</summary>
    public string SpanId => OtlpIds.Hex(Record.SpanId);
}
