using Asl.Distributed.Otlp.Testing.Proto.Collector.Logs;
using Grpc.Core;

namespace Asl.Distributed.Otlp.Testing.Collectors;

/// <summary>The OTLP logs service: admits the call by the receiver's mode, then stores each record with its resource and scope.</summary>
internal sealed class LogsCollector(CollectorState state) : LogsService.LogsServiceBase
{
    public override async Task<ExportLogsServiceResponse> Export(ExportLogsServiceRequest request, ServerCallContext context)
    {
        await state.AdmitAsync(OtlpSignal.Logs, context.CancellationToken).ConfigureAwait(false);
        state.Logs.Add(
            from resource in request.ResourceLogs
            from scope in resource.ScopeLogs
            from record in scope.LogRecords
            select new ReceivedLog(resource, scope, record));
        return new ExportLogsServiceResponse();
    }
}
