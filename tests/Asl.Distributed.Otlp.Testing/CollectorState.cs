using Grpc.Core;

namespace Asl.Distributed.Otlp.Testing;

/// <summary>What the three collector services share: the stored data, the export attempts and the mode gate.</summary>
internal sealed class CollectorState : IDisposable
{
    public Arrivals<ReceivedMetric> Metrics { get; } = new();

    public Arrivals<ReceivedSpan> Spans { get; } = new();

    public Arrivals<ReceivedLog> Logs { get; } = new();

    public Arrivals<OtlpExportAttempt> Attempts { get; } = new();

    public ExportGate Gate { get; } = new();

    /// <summary>
    /// Counts the call, holds it while the mode says so, and throws UNAVAILABLE when it is to be refused; returns
    /// normally when the call's data is to be stored.
    /// </summary>
    public async Task AdmitAsync(OtlpSignal signal, CancellationToken callAborted)
    {
        Attempts.Add([new OtlpExportAttempt(signal, Gate.Mode)]);
        OtlpReceiverMode mode;
        try
        {
            mode = await Gate.PassAsync(callAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (Gate.IsClosing && !callAborted.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "the test receiver is shutting down"));
        }
        if (mode == OtlpReceiverMode.Refuse)
            throw new RpcException(new Status(StatusCode.Unavailable, "the test receiver refuses exports (mode Refuse)"));
    }

    /// <summary>Wakes held calls and fails pending waits: nothing more will be stored.</summary>
    public void Close()
    {
        Gate.Close();
        Metrics.Close();
        Spans.Close();
        Logs.Close();
        Attempts.Close();
    }

    public void Dispose() => Gate.Dispose();
}
