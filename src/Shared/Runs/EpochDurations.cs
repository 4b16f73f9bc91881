namespace Asl.Distributed.Runs;

/// <summary>
/// Where an epoch's time went, in seconds: waiting for the loader's next batch, forward and backward with the
/// optimizer step, waiting on the gradient all-reduce beyond what overlapped backward, and validating both models.
/// </summary>
public sealed record EpochDurations(double DataWait, double ForwardBackward, double AllReduce, double Validation)
{
    public static EpochDurations None { get; } = new(0, 0, 0, 0);
}
