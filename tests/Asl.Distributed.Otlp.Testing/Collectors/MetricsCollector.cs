using Asl.Distributed.Otlp.Testing.Proto.Collector.Metrics;
using Grpc.Core;

namespace Asl.Distributed.Otlp.Testing.Collectors;

/// <summary>The OTLP metrics service: admits the call by the receiver's mode, then stores each metric with its resource and scope.</summary>
internal sealed class MetricsCollector(CollectorState state) : MetricsService.MetricsServiceBase
{
    public override async Task<ExportMetricsServiceResponse> Export(ExportMetricsServiceRequest request, ServerCallContext context)
    {
        await state.AdmitAsync(OtlpSignal.Metrics, context.CancellationToken).ConfigureAwait(false);
        state.Metrics.Add(
            from resource in request.ResourceMetrics
            from scope in resource.ScopeMetrics
            from metric in scope.Metrics
            select new ReceivedMetric(resource, scope, metric));
        return new ExportMetricsServiceResponse();
    }
}
