using Grpc.Core;

namespace Asl.Distributed.Otlp.Testing;

/// <summary>What the three collector services share: the stored data, the export calls and the mode gate.</summary>
internal sealed class CollectorState : IDisposable
{
    public Arrivals<ReceivedMetric> Metrics { get; } = new();

    public Arrivals<ReceivedSpan> Spans { get; } = new();

    public Arrivals<ReceivedLog> Logs { get; } = new();

    public Arrivals<OtlpExportAttempt> Attempts { get; } = new();

    public Arrivals<OtlpExportAnswer> Answers { get; } = new();

    public ExportGate Gate { get; } = new();

    /// <summary>
    /// One export call: counted on arrival, held while the mode says so, then stored (by <paramref name="store"/>)
    /// or refused with UNAVAILABLE; its answer is recorded before the reply leaves.
    /// </summary>
    public async Task ReceiveAsync(OtlpSignal signal, Action store, CancellationToken callAborted)
    {
        Attempts.Add([new OtlpExportAttempt(signal, Gate.Mode)]);
        OtlpReceiverMode mode;
        try
        {
            mode = await Gate.PassAsync(callAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Answers.Add([new OtlpExportAnswer(signal, OtlpExportOutcome.Abandoned)]);
            if (callAborted.IsCancellationRequested)
                throw;
            throw new RpcException(new Status(StatusCode.Unavailable, "the test receiver is shutting down"));
        }
        if (mode == OtlpReceiverMode.Refuse)
        {
            Answers.Add([new OtlpExportAnswer(signal, OtlpExportOutcome.Refused)]);
            throw new RpcException(new Status(StatusCode.Unavailable, "the test receiver refuses exports (mode Refuse)"));
        }
        store();
        Answers.Add([new OtlpExportAnswer(signal, OtlpExportOutcome.Stored)]);
    }

    /// <summary>Wakes held calls and fails pending waits: nothing more will be stored.</summary>
    public void Close()
    {
        Gate.Close();
        Metrics.Close();
        Spans.Close();
        Logs.Close();
        Attempts.Close();
        Answers.Close();
    }

    public void Dispose() => Gate.Dispose();
}
