using Grpc.Core;

namespace Asl.Distributed.Worker.Agent;

/// <summary>
/// The agent's reports in the order they were made, delivered one at a time while the coordinator is reachable and
/// kept while it is away: nothing is lost or reordered by a lost connection, and what could not be said is said once
/// the agent has registered again. A report the coordinator refuses for good (FAILED_PRECONDITION: an attempt that is no
/// longer current, a trial that has ended; or a malformed one) is dropped and logged rather than retried for ever.
/// Delivery is at least once: a report whose answer was lost with the connection is sent again.
/// </summary>
internal sealed class ReportOutbox(AgentLog log)
{
    private readonly Lock _gate = new();
    private readonly LinkedList<PendingReport> _queue = new();
    private CoordinatorLink? _link;
    private TaskCompletionSource _changed = NewSignal();

    /// <summary>Reports not yet delivered or dropped.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
                return _queue.Count;
        }
    }

    /// <summary>Whether reports go out now (the agent is registered on a live connection).</summary>
    public bool IsConnected
    {
        get
        {
            lock (_gate)
                return _link is not null;
        }
    }

    public void Enqueue(PendingReport report)
    {
        lock (_gate)
        {
            _queue.AddLast(report);
            if (_link is null)
                report.Defer();
            Pulse();
        }
    }

    /// <summary>The agent registered on <paramref name="link"/>: deliver from here on.</summary>
    public void Connected(CoordinatorLink link)
    {
        lock (_gate)
        {
            _link = link;
            Pulse();
        }
    }

    /// <summary>The connection on <paramref name="link"/> is gone: hold everything until the next registration.</summary>
    public void Away(CoordinatorLink link)
    {
        lock (_gate)
        {
            if (_link != link)
                return;
            _link = null;
            foreach (var report in _queue)
                report.Defer();
            Pulse();
        }
    }

    /// <summary>Returns once every report was delivered or dropped (or <paramref name="ct"/> ends the wait).</summary>
    public async Task WhenEmptyAsync(CancellationToken ct)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_queue.Count == 0)
                    return;
                changed = _changed.Task;
            }
            await changed.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Delivers reports until <paramref name="ct"/> ends; <paramref name="connectionLost"/> hears of a call that failed
    /// for want of the coordinator, so that the agent reconnects.
    /// </summary>
    public async Task RunAsync(Action<CoordinatorLink> connectionLost, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            PendingReport? head;
            CoordinatorLink? link;
            Task changed;
            lock (_gate)
            {
                head = _queue.First?.Value;
                link = _link;
                changed = _changed.Task;
            }
            if (head is null || link is null)
            {
                try
                {
                    await changed.WaitAsync(ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }
                continue;
            }
            try
            {
                await head.SendAsync(link, ct).ConfigureAwait(false);
                Remove(head);
            }
            catch (RpcException e) when (IsRefusal(e.StatusCode))
            {
                log.ReportDropped(head.What, head.Key.ToString(), e.StatusCode, e.Status.Detail);
                head.Drop();
                Remove(head);
            }
            catch (Exception) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                var (status, detail) = e is RpcException rpc ? (rpc.StatusCode, rpc.Status.Detail) : (StatusCode.Unknown, e.Message);
                log.ReportHeld(head.What, head.Key.ToString(), link.Address, status, detail);
                Away(link);
                connectionLost(link);
            }
        }
    }

    /// <summary>Answers that a retry cannot change.</summary>
    public static bool IsRefusal(StatusCode code) =>
        code is StatusCode.FailedPrecondition or StatusCode.InvalidArgument or StatusCode.NotFound or StatusCode.AlreadyExists or StatusCode.OutOfRange;

    private void Remove(PendingReport report)
    {
        lock (_gate)
        {
            _queue.Remove(report);
            Pulse();
        }
    }

    private void Pulse()
    {
        var changed = _changed;
        _changed = NewSignal();
        changed.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
