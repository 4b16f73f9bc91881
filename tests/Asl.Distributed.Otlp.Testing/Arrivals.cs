namespace Asl.Distributed.Otlp.Testing;

/// <summary>
/// An append-only record of what arrived, with waits that complete on the arrival that satisfies them (or at once,
/// when it already happened): tests wait on the event itself instead of polling.
/// </summary>
internal sealed class Arrivals<T>
{
    private readonly Lock _lock = new();
    private readonly List<T> _items = [];
    private readonly List<Waiter> _waiters = [];
    private bool _closed;

    public IReadOnlyList<T> Snapshot()
    {
        lock (_lock)
            return [.. _items];
    }

    public int Count(Func<T, bool> match)
    {
        lock (_lock)
            return _items.Count(match);
    }

    public void Add(IEnumerable<T> items)
    {
        List<Waiter> satisfied = [];
        lock (_lock)
        {
            foreach (var item in items)
            {
                _items.Add(item);
                foreach (var waiter in _waiters)
                {
                    if (!waiter.IsDone && waiter.Offer(item))
                        satisfied.Add(waiter);
                }
            }
            _waiters.RemoveAll(w => w.IsDone);
        }
        // Completion runs continuations asynchronously (see Waiter), so nothing of a test's code runs on the
        // gRPC handler's thread or under the lock.
        foreach (var waiter in satisfied)
            waiter.Finish();
    }

    /// <summary>Completes with the <paramref name="occurrence"/>-th item (1-based) that matches, counting items that came before the call.</summary>
    public Task<T> WaitAsync(Func<T, bool> match, int occurrence, CancellationToken cancellation)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(occurrence, 1);
        var waiter = new Waiter(match, occurrence);
        bool alreadyArrived;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            foreach (var item in _items)
            {
                if (waiter.Offer(item))
                    break;
            }
            alreadyArrived = waiter.IsDone;
            if (!alreadyArrived)
                _waiters.Add(waiter);
        }
        if (alreadyArrived)
        {
            waiter.Finish();
            return waiter.Task;
        }
        waiter.CancelOn(cancellation, () =>
        {
            lock (_lock)
                _waiters.Remove(waiter);
        });
        return waiter.Task;
    }

    /// <summary>Fails every pending wait: nothing more can arrive.</summary>
    public void Close()
    {
        List<Waiter> pending;
        lock (_lock)
        {
            _closed = true;
            pending = [.. _waiters];
            _waiters.Clear();
        }
        foreach (var waiter in pending)
            waiter.Fail(new ObjectDisposedException(nameof(OtlpReceiver), "the receiver was disposed before the awaited data arrived"));
    }

    /// <summary>One pending wait. Offer runs under the store's lock; the task is completed outside it.</summary>
    private sealed class Waiter(Func<T, bool> match, int occurrence)
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _remaining = occurrence;
        private T? _found;
        private Exception? _error;
        private CancellationTokenRegistration _registration;

        public Task<T> Task => _completion.Task;

        public bool IsDone => _remaining == 0 || _error is not null;

        public bool Offer(T item)
        {
            try
            {
                if (match(item) && --_remaining == 0)
                    _found = item;
            }
            catch (Exception e)
            {
                // A throwing predicate fails its own wait, never the export call that delivered the item.
                _error = e;
            }
            return IsDone;
        }

        public void Finish()
        {
            _registration.Unregister();
            if (_error is not null)
                _completion.TrySetException(_error);
            else
                _completion.TrySetResult(_found!);
        }

        public void Fail(Exception error)
        {
            _registration.Unregister();
            _completion.TrySetException(error);
        }

        public void CancelOn(CancellationToken cancellation, Action forget)
        {
            if (!cancellation.CanBeCanceled)
                return;
            _registration = cancellation.Register(() =>
            {
                forget();
                _completion.TrySetCanceled(cancellation);
            });
        }
    }
}
