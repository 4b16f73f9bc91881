namespace Asl.Distributed.Training.Tests.Finalizers;

/// <summary>
/// A thread that runs full blocking garbage collections and waits for the finalizers they queue, back to back, until
/// stopped: the pressure under which a native handle that nothing references any more gets freed while in use.
/// </summary>
internal sealed class GarbageCollectionLoop : IDisposable
{
    private readonly Thread _thread;
    private volatile bool _stop;
    private long _collections;

    public GarbageCollectionLoop()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "gc-loop" };
        _thread.Start();
    }

    /// <summary>Stops the loop, waits for it and returns the number of collections it ran.</summary>
    public long Stop()
    {
        _stop = true;
        _thread.Join();
        return Interlocked.Read(ref _collections);
    }

    public void Dispose() => Stop();

    private void Run()
    {
        while (!_stop)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            Interlocked.Increment(ref _collections);
        }
    }
}
