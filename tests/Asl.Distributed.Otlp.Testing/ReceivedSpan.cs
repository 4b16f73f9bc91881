using Asl.Distributed.Otlp.Testing.Proto.Common;
using Asl.Distributed.Otlp.Testing.Proto.Resource;
using Asl.Distributed.Otlp.Testing.Proto.Trace;

namespace Asl.Distributed.Otlp.Testing;

/// <summary>One span as it arrived, with the resource and the scope (ActivitySource) it was sent under.</summary>
/// <param name="ResourceSpans">The request's resource group that held the span.</param>
/// <param name="ScopeSpans">The scope group that held the span.</param>
/// <param name="Span">The span: ids, name, kind, times, attributes, events, links and status.</param>
public sealed record ReceivedSpan(ResourceSpans ResourceSpans, ScopeSpans ScopeSpans, Span Span)
{
    /// <summary>The resource (service.name and the rest); empty when the exporter sent none.</summary>
    public Resource Resource => ResourceSpans.Resource ?? new Resource();

    /// <summary>The instrumentation scope: the ActivitySource's name and version.</summary>
    public InstrumentationScope Scope => ScopeSpans.Scope ?? new InstrumentationScope();

    /// <summary>The resource's service.name, or null when it has none.</summary>
    public string? ServiceName => Attributes.Find(Resource.Attributes, "service.name")?.StringValue;

    /// <summary>The trace id in lowercase hex, as <c>ActivityTraceId.ToHexString()</c> writes it.</summary>
    public string TraceId => OtlpIds.Hex(Span.TraceId);

    /// <summary>The span id in lowercase hex, as <c>ActivitySpanId.ToHexString()</c> writes it.</summary>
    public string SpanId => OtlpIds.Hex(Span.SpanId);

    /// <summary>The parent's span id in lowercase hex; empty for a root span.</summary>
    public string ParentSpanId => OtlpIds.Hex(Span.ParentSpanId);
}
