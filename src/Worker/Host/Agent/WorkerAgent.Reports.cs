using Asl.Distributed.Contracts;
using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Runs;

namespace Asl.Distributed.Worker.Agent;

/// <summary>The agent's reports of its attempts: each epoch (rank 0), the completion, the failure, as the outbox delivers them.</summary>
public sealed partial class WorkerAgent
{
    private PendingReport ReportEpoch(TrialAttemptRun attempt, Runs.EpochMetrics metrics, string checkpoint)
    {
        var report = new EpochReport
        {
            WorkerId = _options.WorkerId,
            TrialId = attempt.Key.TrialId,
            Attempt = attempt.Key.Attempt,
            Metrics = metrics.ToMessage(),
            Checkpoint = checkpoint,
        };
        var pending = new PendingReport(attempt.Key, $"the report of epoch {metrics.Epoch}",
            async (link, ct) => await link.Client.ReportEpochAsync(report, link.Call(ct)).ConfigureAwait(false));
        _outbox.Enqueue(pending);
        return pending;
    }

    private PendingReport EndReport(TrialAttemptRun attempt, AttemptOutcome outcome)
    {
        var report = outcome.Reason switch
        {
            RunExitReason.Completed or RunExitReason.Stopped => Completion(attempt, outcome),
            RunExitReason.Interrupted => Failure(attempt, FailureKind.Released, outcome.Message, outcome.ExitCode, outcome.Checkpoint),
            RunExitReason.InvalidConfig => Failure(attempt, FailureKind.InvalidConfig, outcome.Message, outcome.ExitCode, outcome.Checkpoint),
            _ => Failure(attempt, FailureKind.Error, outcome.Message, outcome.ExitCode, outcome.Checkpoint),
        };
        // Until its end is delivered (or refused) the attempt stays listed as running, so a coordinator that restarts
        // meanwhile does not re-queue a trial whose result is on its way.
        _ = report.Settled.ContinueWith(_ =>
        {
            lock (_gate)
            {
                _attempts.Remove(attempt.Key);
                _runs.Remove(attempt.Key);
            }
        }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        return report;
    }

    private PendingReport Completion(TrialAttemptRun attempt, AttemptOutcome outcome)
    {
        var completion = new TrialCompletion
        {
            WorkerId = _options.WorkerId,
            TrialId = attempt.Key.TrialId,
            Attempt = attempt.Key.Attempt,
            StoppedEarly = outcome.Reason == RunExitReason.Stopped,
            Checkpoint = outcome.Checkpoint,
        };
        return new PendingReport(attempt.Key, "the completion", async (link, ct) =>
        {
            await link.Client.CompleteTrialAsync(completion, link.Call(ct)).ConfigureAwait(false);
            return null;
        })
        { Sending = MarkEndSent };
    }

    private PendingReport Failure(TrialAttemptRun attempt, FailureKind kind, string reason, int exitCode, string checkpoint)
    {
        var failure = new TrialFailure
        {
            WorkerId = _options.WorkerId,
            TrialId = attempt.Key.TrialId,
            Attempt = attempt.Key.Attempt,
            Kind = kind,
            Reason = reason,
            ExitCode = exitCode,
            Checkpoint = checkpoint,
        };
        return new PendingReport(attempt.Key, $"the failure ({kind})", async (link, ct) =>
        {
            await link.Client.FailTrialAsync(failure, link.Call(ct)).ConfigureAwait(false);
            return null;
        })
        { Sending = MarkEndSent };
    }

    private void MarkEndSent() => Interlocked.Exchange(ref _lastEndSent, _time.GetTimestamp());

    private static string Describe(AttemptOutcome outcome) => outcome.Reason switch
    {
        RunExitReason.Completed => $"completed; last checkpoint {outcome.Checkpoint}",
        RunExitReason.Stopped => $"stopped early ({outcome.Message}); last checkpoint {outcome.Checkpoint}",
        RunExitReason.Interrupted => $"stopped at a safe point ({outcome.Message}); " +
            (outcome.Checkpoint.Length > 0 ? $"last checkpoint {outcome.Checkpoint}" : "no checkpoint yet"),
        RunExitReason.InvalidConfig => $"config refused: {outcome.Message}",
        _ => $"failed (exit code {outcome.ExitCode}): {outcome.Message}",
    };
}
