namespace Asl.Distributed.Training.Loop;

/// <summary>
/// When an epoch reports its progress: at each tenth of the epoch, at its last batch, and whenever
/// <see cref="MaxSilence"/> has passed since the last report (long epochs), never more often than every batch.
/// </summary>
internal sealed class ProgressThrottle(int batchesPerEpoch, TimeProvider time)
{
    /// <summary>The longest time between two reports while batches keep finishing.</summary>
    public static readonly TimeSpan MaxSilence = TimeSpan.FromSeconds(10);

    private readonly int _every = Math.Max(1, batchesPerEpoch / 10);
    private long _last = time.GetTimestamp();

    /// <summary>Whether batch <paramref name="batch"/> (1-based) should be reported; resets the silence clock when it should.</summary>
    public bool ShouldReport(int batch)
    {
        bool due = batch % _every == 0 || batch == batchesPerEpoch || time.GetElapsedTime(_last) >= MaxSilence;
        if (due)
            _last = time.GetTimestamp();
        return due;
    }
}
