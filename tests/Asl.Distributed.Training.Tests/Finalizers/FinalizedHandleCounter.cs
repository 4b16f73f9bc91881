using System.Diagnostics.Tracing;
using System.Runtime.CompilerServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Tests.Finalizers;

/// <summary>
/// Counts the TorchSharp Scalars and tensors that reach their finalizers, from the runtime's own FinalizeObject
/// events (GC keyword, verbose). A native handle left to a finalizer is one a collection on another thread can free
/// while libtorch still reads it (issue 15); code that leaves none cannot meet that race. The events name the object's
/// type by its method table, which <see cref="RuntimeTypeHandle.Value"/> gives for the types watched. The counts cover
/// the whole process, so callers run alone (<see cref="ProcessWideGarbageCollection"/>).
/// </summary>
internal sealed class FinalizedHandleCounter : EventListener
{
    private static readonly nint ScalarType = typeof(Scalar).TypeHandle.Value;
    private static readonly nint[] TensorTypes = [typeof(Tensor).TypeHandle.Value, typeof(Parameter).TypeHandle.Value];
    private static readonly nint CanaryType = typeof(Canary).TypeHandle.Value;

    private readonly SemaphoreSlim _canaries = new(0);
    private long _scalars;
    private long _tensors;

    private FinalizedHandleCounter()
    {
    }

    /// <summary>Scalars finalized since the last <see cref="Reset"/>.</summary>
    public long Scalars => Interlocked.Read(ref _scalars);

    /// <summary>Tensors and parameters finalized since the last <see cref="Reset"/>.</summary>
    public long Tensors => Interlocked.Read(ref _tensors);

    /// <summary>Starts listening and finalizes whatever garbage already exists, so that only what follows counts.</summary>
    public static FinalizedHandleCounter Start()
    {
        var counter = new FinalizedHandleCounter();
        counter.Reset();
        return counter;
    }

    /// <summary>Finalizes all garbage so far, waits until its events have arrived, then zeroes the counts.</summary>
    public void Reset()
    {
        FinalizeAll();
        Interlocked.Exchange(ref _scalars, 0);
        Interlocked.Exchange(ref _tensors, 0);
    }

    /// <summary>
    /// Collects, runs every pending finalizer and waits until their events have arrived: a canary finalized after them
    /// on the same finalizer thread is delivered after them, so its event marks the end.
    /// </summary>
    public void FinalizeAll()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        DropCanary();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        // The cap only turns a listener that never hears anything into a failure instead of a hang.
        if (!_canaries.Wait(TimeSpan.FromMinutes(2)))
            throw new InvalidOperationException("the runtime's FinalizeObject events never arrived: is EventPipe disabled?");
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1); // GC; FinalizeObject is verbose
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName != "FinalizeObject" || eventData.Payload is not [IntPtr type, ..])
            return;
        if (type == ScalarType)
            Interlocked.Increment(ref _scalars);
        else if (Array.IndexOf(TensorTypes, (nint)type) >= 0)
            Interlocked.Increment(ref _tensors);
        else if (type == CanaryType)
            _canaries.Release();
    }

    public override void Dispose()
    {
        base.Dispose();
        _canaries.Dispose();
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // so that no local of the caller keeps the canary alive
    private static void DropCanary() => _ = new Canary();

    private sealed class Canary
    {
        ~Canary()
        {
        }
    }
}
