using Asl.Distributed.Otlp.Testing.Proto.Collector.Trace;
using Grpc.Core;

namespace Asl.Distributed.Otlp.Testing.Collectors;

/// <summary>The OTLP trace service: admits the call by the receiver's mode, then stores each span with its resource and scope.</summary>
internal sealed class TraceCollector(CollectorState state) : TraceService.TraceServiceBase
{
    public override async Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context)
    {
        await state.AdmitAsync(OtlpSignal.Traces, context.CancellationToken).ConfigureAwait(false);
        state.Spans.Add(
            from resource in request.ResourceSpans
            from scope in resource.ScopeSpans
            from span in scope.Spans
            select new ReceivedSpan(resource, scope, span));
        return new ExportTraceServiceResponse();
    }
}
