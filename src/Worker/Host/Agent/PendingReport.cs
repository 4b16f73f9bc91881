using Asl.Distributed.Contracts.V1;

namespace Asl.Distributed.Worker.Agent;

/// <summary>
/// One report waiting in the <see cref="ReportOutbox"/>: an epoch report, a completion or a failure of one attempt.
/// <see cref="Settled"/> ends when it was delivered (with the coordinator's answer to an epoch report) or dropped
/// (refused for good: null); <see cref="Deferred"/> ends when it could not go out at once because the coordinator is
/// away, which tells a waiting trainer to train on instead of waiting for the answer.
/// </summary>
internal sealed class PendingReport(AttemptKey key, string what, Func<CoordinatorLink, CancellationToken, Task<EpochReportReply?>> send)
{
    private readonly TaskCompletionSource<EpochReportReply?> _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _deferred = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public AttemptKey Key { get; } = key;

    /// <summary>What it reports, for logs: "the report of epoch 3", "the completion", ….</summary>
    public string What { get; } = what;

    public Task<EpochReportReply?> Settled => _settled.Task;

    public Task Deferred => _deferred.Task;

    /// <summary>Called just before each try, on the outbox's sender.</summary>
    public Action? Sending { get; init; }

    public async Task SendAsync(CoordinatorLink link, CancellationToken ct)
    {
        Sending?.Invoke();
        var reply = await send(link, ct).ConfigureAwait(false);
        _settled.TrySetResult(reply);
    }

    public void Drop() => _settled.TrySetResult(null);

    public void Defer() => _deferred.TrySetResult();
}
