using Asl.Distributed.Otlp.Testing.Proto.Common;
using Asl.Distributed.Otlp.Testing.Proto.Metrics;
using Asl.Distributed.Otlp.Testing.Proto.Resource;

namespace Asl.Distributed.Otlp.Testing;

/// <summary>One metric as it arrived, with the resource and the scope (Meter) it was sent under.</summary>
/// <param name="ResourceMetrics">The request's resource group that held the metric.</param>
/// <param name="ScopeMetrics">The scope group that held the metric.</param>
/// <param name="Metric">The metric: name, unit, description and data points.</param>
public sealed record ReceivedMetric(ResourceMetrics ResourceMetrics, ScopeMetrics ScopeMetrics, Metric Metric)
{
    /// <summary>The resource (service.name and the rest); empty when the exporter sent none.</summary>
    public Resource Resource => ResourceMetrics.Resource ?? new Resource();

    /// <summary>The instrumentation scope: the Meter's name and version.</summary>
    public InstrumentationScope Scope => ScopeMetrics.Scope ?? new InstrumentationScope();

    /// <summary>The resource's service.name, or null when it has none.</summary>
    public string? ServiceName => Attributes.Find(Resource.Attributes, "service.name")?.StringValue;
}
