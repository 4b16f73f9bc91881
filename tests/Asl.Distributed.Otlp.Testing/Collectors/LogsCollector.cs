using Asl.Distributed.Otlp.Testing.Proto.Collector.Logs;
using Grpc.Core;

namespace Asl.Distributed.Otlp.Testing.Collectors;

/// <summary>The OTLP logs service: stores each log record with its resource and scope, as the receiver's mode allows.</summary>
internal sealed class LogsCollector(CollectorState state) : LogsService.LogsServiceBase
{
    public override async Task<ExportLogsServiceResponse> Export(ExportLogsServiceRequest request, ServerCallContext context)
    {
        await state.ReceiveAsync(OtlpSignal.Logs, Store, context.CancellationToken).ConfigureAwait(false);
        return new ExportLogsServiceResponse();

        void Store() => state.Logs.Add(
            from resource in request.ResourceLogs
            from scope in resource.ScopeLogs
            from record in scope.LogRecords
            select new ReceivedLog(resource, scope, record));
    }
}
