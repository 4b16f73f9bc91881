using Asl.Distributed.Otlp.Testing.Proto.Collector.Metrics;
using Grpc.Core;

namespace Asl.Distributed.Otlp.Testing.Collectors;

/// <summary>The OTLP metrics service: stores each metric with its resource and scope, as the receiver's mode allows.</summary>
internal sealed class MetricsCollector(CollectorState state) : MetricsService.MetricsServiceBase
{
    public override async Task<ExportMetricsServiceResponse> Export(ExportMetricsServiceRequest request, ServerCallContext context)
    {
        await state.ReceiveAsync(OtlpSignal.Metrics, Store, context.CancellationToken).ConfigureAwait(false);
        return new ExportMetricsServiceResponse();

        void Store() => state.Metrics.Add(
            from resource in request.ResourceMetrics
            from scope in resource.ScopeMetrics
            from metric in scope.Metrics
            select new ReceivedMetric(resource, scope, metric));
    }
}
