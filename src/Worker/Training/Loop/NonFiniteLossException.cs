namespace Asl.Distributed.Training.Loop;

/// <summary>A NaN or infinite loss under the fail policy; names the epoch, the batch and the optimizer step.</summary>
public sealed class NonFiniteLossException(int epoch, int batch, long step, double loss)
    : Exception($"the loss is {loss} at epoch {epoch}, batch {batch} (optimizer step {step}); set run.nan_policy: skip to skip such steps")
{
    public int Epoch { get; } = epoch;

    public int Batch { get; } = batch;

    public long Step { get; } = step;
}
