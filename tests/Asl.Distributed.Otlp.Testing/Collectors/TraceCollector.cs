using Asl.Distributed.Otlp.Testing.Proto.Collector.Trace;
using Grpc.Core;

namespace Asl.Distributed.Otlp.Testing.Collectors;

/// <summary>The OTLP trace service: stores each span with its resource and scope, as the receiver's mode allows.</summary>
internal sealed class TraceCollector(CollectorState state) : TraceService.TraceServiceBase
{
    public override async Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context)
    {
        await state.ReceiveAsync(OtlpSignal.Traces, Store, context.CancellationToken).ConfigureAwait(false);
        return new ExportTraceServiceResponse();

        void Store() => state.Spans.Add(
            from resource in request.ResourceSpans
            from scope in resource.ScopeSpans
            from span in scope.Spans
            select new ReceivedSpan(resource, scope, span));
    }
}
