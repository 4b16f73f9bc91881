using EpochReportReply = Asl.Distributed.Contracts.V1.EpochReportReply;
using Asl.Distributed.Runs;
using Asl.Distributed.Training.Events;

namespace Asl.Distributed.Worker.Agent;

/// <summary>
/// Forwards one attempt's run events to the coordinator. Every rank keeps the attempt's position (last epoch, last
/// checkpoint) for heartbeats; rank 0 reports each epoch once its checkpoint is on disk and, while the coordinator
/// is reachable, waits for the answer before the run agrees to go on, so that "stop" (ASHA's decision) stops at this
/// epoch's end. While the coordinator is away the run trains on, and a late "stop" stops it at the next epoch's end.
/// </summary>
internal sealed class AttemptObserver(TrialAttemptRun attempt, Func<EpochMetrics, string, PendingReport> reportEpoch, Action<RunStarted> started,
    AgentLog log, EpochHold? hold = null) : IRunObserver
{
    private EpochCompleted? _completed;

    public void OnEvent(RunEvent runEvent, RunControl run)
    {
        switch (runEvent)
        {
            case RunStarted s:
                attempt.LastEpoch = s.ResumedFrom?.Epoch ?? 0;
                started(s);
                break;
            case EpochCompleted completed:
                attempt.LastEpoch = completed.Metrics.Epoch;
                _completed = completed;
                hold?.AtEpochEnd(attempt.Key, attempt.Rank, completed.Metrics.Epoch, attempt.Cancellation);
                break;
            case CheckpointWritten written:
                attempt.LastCheckpoint = written.Path;
                if (attempt.Rank == 0 && _completed is { } epoch && epoch.Metrics.Epoch == written.Epoch)
                {
                    _completed = null;
                    Report(epoch.Metrics, written.Path, run);
                }
                break;
            case RunFailed { LastCheckpoint: { } path }:
                attempt.LastCheckpoint ??= path;
                break;
        }
    }

    private void Report(EpochMetrics metrics, string checkpoint, RunControl run)
    {
        var report = reportEpoch(metrics, checkpoint);
        try
        {
            Task.WaitAny([report.Settled, report.Deferred], attempt.Cancellation);
        }
        catch (OperationCanceledException)
        {
            // Stopping anyway: the trainer notices at its next safe point.
        }
        if (report.Settled.IsCompleted)
            Apply(report.Settled.Result, metrics.Epoch, run);
        else
            _ = report.Settled.ContinueWith(t => Apply(t.Result, metrics.Epoch, run), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    private void Apply(EpochReportReply? reply, int epoch, RunControl run)
    {
        if (reply is not { Proceed: false })
            return;
        string reason = string.IsNullOrWhiteSpace(reply.Reason) ? "the coordinator said stop" : reply.Reason;
        log.StopAnswered(attempt.Key.ToString(), epoch, reason);
        run.RequestStop(reason);
    }
}
