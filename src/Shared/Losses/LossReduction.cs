using Asl.Distributed.Configuration.Schema;

namespace Asl.Distributed.Losses;

/// <summary>How a loss reduces its per-label values to what backward starts from.</summary>
public enum LossReduction
{
    /// <summary>Sum over batch and classes: the official ASL implementation.</summary>
    [ConfigName("sum")] Sum,
    /// <summary>Mean over every label of the batch.</summary>
    [ConfigName("mean")] Mean,
    /// <summary>Sum divided by the batch size (the number of samples).</summary>
    [ConfigName("batchmean")] BatchMean,
    /// <summary>No reduction: one value per label.</summary>
    [ConfigName("none")] None,
}
