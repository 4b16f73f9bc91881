using Asl.Distributed.Contracts.V1;

namespace Asl.Distributed.Worker.Tests.Agent.TestHub;

/// <summary>
/// The orders waiting for one worker. They stay queued until an order stream of that worker has written them, so
/// orders sent while the worker is disconnected reach it once it is back; a newer stream replaces an older one.
/// </summary>
internal sealed class WorkerOrders
{
    private readonly Lock _gate = new();
    private readonly List<WorkerOrder> _pending = [];
    private int _generation;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A new stream: returns its generation; older streams stop taking orders.</summary>
    public int Attach()
    {
        lock (_gate)
        {
            _generation++;
            Pulse();
            return _generation;
        }
    }

    public void Add(WorkerOrder order)
    {
        lock (_gate)
        {
            _pending.Add(order);
            Pulse();
        }
    }

    /// <summary>The next order for the stream of <paramref name="generation"/>, or null once a newer stream replaced it.</summary>
    public async Task<WorkerOrder?> NextAsync(int generation, CancellationToken ct)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (generation != _generation)
                    return null;
                if (_pending.Count > 0)
                    return _pending[0];
                changed = _changed.Task;
            }
            await changed.WaitAsync(ct);
        }
    }

    /// <summary>The stream wrote <paramref name="order"/>.</summary>
    public void Delivered(WorkerOrder order)
    {
        lock (_gate)
            _pending.Remove(order);
    }

    private void Pulse()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }
}
