namespace Asl.Distributed.Training.Loop;

/// <summary>A validation met non-finite scores (the weights diverged) under the fail policy; names the epoch and the model.</summary>
public sealed class NonFiniteScoresException(int epoch, string model)
    : Exception($"the {model} model's validation scores are not finite at epoch {epoch} (the weights diverged); lower optimizer.lr, " +
        "or set run.nan_policy: skip to record such epochs as diverged and go on")
{
    public int Epoch { get; } = epoch;
}
