namespace Asl.Distributed.Training.Tests.Loading;

/// <summary>
/// What a loader's worker threads do, seen through <c>LoaderOptions.SampleStarting</c>: which epoch positions
/// started, on which threads, and a gate that holds the workers at the start of chosen positions until the test
/// opens it. Tests wait on these events instead of sleeping and hoping the workers got somewhere meanwhile.
/// </summary>
internal sealed class LoaderWorkers(Func<int, bool>? holdAt = null)
{
    private readonly object _sync = new();
    private readonly List<int> _started = [];
    private readonly HashSet<Thread> _threads = [];
    private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The epoch positions whose work has started, in the order they started.</summary>
    public int[] Started
    {
        get
        {
            lock (_sync)
                return [.. _started];
        }
    }

    /// <summary>
    /// True when every worker thread seen so far waits (for the prefetch window, or at the gate) or has ended: until
    /// the consumer or the test moves, none of them can start another sample.
    /// </summary>
    public bool AllIdle
    {
        get
        {
            lock (_sync)
                return _threads.All(t => (t.ThreadState & (ThreadState.WaitSleepJoin | ThreadState.Stopped)) != 0);
        }
    }

    /// <summary>True when every worker thread seen so far has ended.</summary>
    public bool AllEnded
    {
        get
        {
            lock (_sync)
                return _threads.All(t => !t.IsAlive);
        }
    }

    /// <summary>The loader's <c>SampleStarting</c> seam: records the start, then holds the worker if the gate is shut for it.</summary>
    public void OnSampleStarting(int position)
    {
        lock (_sync)
        {
            _started.Add(position);
            _threads.Add(Thread.CurrentThread);
            foreach (var waiter in _waiters.Where(w => _started.Count >= w.Count).ToList())
            {
                waiter.Done.SetResult();
                _waiters.Remove(waiter);
            }
        }

        if (holdAt?.Invoke(position) == true)
            _open.Task.Wait();
    }

    /// <summary>Completes once <paramref name="count"/> samples have started.</summary>
    public Task StartsReached(int count)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_sync)
        {
            if (_started.Count >= count)
                done.SetResult();
            else
                _waiters.Add((count, done));
        }
        return done.Task;
    }

    /// <summary>Lets every held worker go on, now and from now on; call it in a finally so that no worker stays held.</summary>
    public void Open() => _open.TrySetResult();
}
