namespace Asl.Distributed.Losses;

/// <summary>How a loss reduces its per-label values to what backward starts from.</summary>
public enum LossReduction
{
    /// <summary>Sum over batch and classes: the official ASL implementation.</summary>
    Sum,
    /// <summary>Mean over every label of the batch.</summary>
    Mean,
    /// <summary>Sum divided by the batch size (the number of samples).</summary>
    BatchMean,
    /// <summary>No reduction: one value per label.</summary>
    None,
}
