namespace Asl.Distributed.Otlp.Testing;

/// <summary>
/// The receiver's mode and the gate that holds export calls while it is <see cref="OtlpReceiverMode.Hold"/>: a held
/// call wakes when the mode changes, when its client gives up, or when the receiver closes.
/// </summary>
internal sealed class ExportGate : IDisposable
{
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _closing = new();
    private OtlpReceiverMode _mode = OtlpReceiverMode.Accept;
    private TaskCompletionSource _holdEnded = Ended();

    public OtlpReceiverMode Mode
    {
        get
        {
            lock (_lock)
                return _mode;
        }
        set
        {
            if (!Enum.IsDefined(value))
                throw new ArgumentOutOfRangeException(nameof(value), value, "the mode must be Accept, Refuse or Hold");
            TaskCompletionSource? released = null;
            lock (_lock)
            {
                if (value == OtlpReceiverMode.Hold && _mode != OtlpReceiverMode.Hold)
                    _holdEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                else if (value != OtlpReceiverMode.Hold && _mode == OtlpReceiverMode.Hold)
                    released = _holdEnded;
                _mode = value;
            }
            released?.TrySetResult();
        }
    }

    public bool IsClosing => _closing.IsCancellationRequested;

    /// <summary>Waits while the mode is Hold, then returns the mode the call is to be answered by.</summary>
    public async Task<OtlpReceiverMode> PassAsync(CancellationToken callAborted)
    {
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(callAborted, _closing.Token);
        while (true)
        {
            Task holdEnded;
            lock (_lock)
            {
                if (_mode != OtlpReceiverMode.Hold)
                    return _mode;
                holdEnded = _holdEnded.Task;
            }
            await holdEnded.WaitAsync(wake.Token).ConfigureAwait(false);
        }
    }

    /// <summary>Wakes every held call for good: the receiver is shutting down.</summary>
    public void Close() => _closing.Cancel();

    public void Dispose() => _closing.Dispose();

    private static TaskCompletionSource Ended()
    {
        var ended = new TaskCompletionSource();
        ended.SetResult();
        return ended;
    }
}
