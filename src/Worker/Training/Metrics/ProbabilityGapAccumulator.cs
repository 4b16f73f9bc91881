using System.Runtime.CompilerServices;

namespace Asl.Distributed.Training.Metrics;

/// <summary>
/// The ASL paper's probability gap over an epoch, from probabilities p in [0, 1] (sigmoid outputs, not logits) and
/// 0/1 targets, N × K row-major like <see cref="MultiLabelScoreAccumulator"/>:
/// p_t+ = mean of p over all positive labels, p_t− = mean of 1 − p over all negative labels, Δp = p_t− − p_t+.
/// Values are fractions (probabilities), not percentages. Sums are kept in double and added value by value in
/// order, so adding an epoch in batches gives bit for bit what adding it in one call gives.
/// </summary>
public sealed class ProbabilityGapAccumulator
{
    /// <summary>Creates an empty accumulator for rows of <paramref name="classCount"/> classes.</summary>
    public ProbabilityGapAccumulator(int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        ClassCount = classCount;
    }

    /// <summary>K, the number of classes per row; used to check lengths and to name bad values' rows and classes.</summary>
    public int ClassCount { get; }

    /// <summary>Rows added since creation or the last <see cref="Clear"/>.</summary>
    public long SampleCount { get; private set; }

    /// <summary>How many labels were positive.</summary>
    public long PositiveCount { get; private set; }

    /// <summary>How many labels were negative.</summary>
    public long NegativeCount { get; private set; }

    /// <summary>Σ p over positive labels.</summary>
    public double PositiveProbabilitySum { get; private set; }

    /// <summary>Σ (1 − p) over negative labels.</summary>
    public double NegativeComplementSum { get; private set; }

    /// <summary>p_t+, the mean probability of positive labels; NaN when there is no positive label.</summary>
    public double MeanPositiveProbability => PositiveCount == 0 ? double.NaN : PositiveProbabilitySum / PositiveCount;

    /// <summary>p_t−, the mean of 1 − p over negative labels; NaN when there is no negative label.</summary>
    public double MeanNegativeComplement => NegativeCount == 0 ? double.NaN : NegativeComplementSum / NegativeCount;

    /// <summary>Δp = p_t− − p_t+; NaN when there is no positive or no negative label.</summary>
    public double Gap => MeanNegativeComplement - MeanPositiveProbability;

    /// <summary>
    /// Adds a batch: <paramref name="probabilities"/> and <paramref name="targets"/> both hold B·K values.
    /// On an <see cref="ArgumentException"/> (lengths, a probability outside [0, 1] or NaN, a target other than
    /// 0/1) nothing of the batch is kept.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> targets)
    {
        int rows = MultiLabelInputValidator.RowCount(probabilities.Length, targets.Length, ClassCount, nameof(probabilities));
        MultiLabelInputValidator.CheckProbabilities(probabilities, ClassCount, SampleCount, nameof(probabilities));
        MultiLabelInputValidator.CheckBinary(targets, ClassCount, SampleCount);

        // Locals so the loop runs on registers; written back once, which also keeps a failed batch out.
        double positiveSum = PositiveProbabilitySum;
        double negativeSum = NegativeComplementSum;
        long positives = 0;
        for (int i = 0; i < probabilities.Length; i++)
        {
            double p = probabilities[i];
            if (targets[i] != 0f)
            {
                positiveSum += p;
                positives++;
            }
            else
            {
                negativeSum += 1 - p;
            }
        }

        PositiveProbabilitySum = positiveSum;
        NegativeComplementSum = negativeSum;
        PositiveCount += positives;
        NegativeCount += probabilities.Length - positives;
        SampleCount += rows;
    }

    /// <summary>
    /// Adds another accumulator's sums and counts, e.g. a data-parallel worker's; the result no longer equals a
    /// single ordered pass bit for bit, only to rounding.
    /// </summary>
    public void Merge(ProbabilityGapAccumulator other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.ClassCount != ClassCount)
        {
            throw new ArgumentException(
                $"Cannot merge an accumulator of {other.ClassCount} classes into one of {ClassCount}.", nameof(other));
        }

        PositiveProbabilitySum += other.PositiveProbabilitySum;
        NegativeComplementSum += other.NegativeComplementSum;
        PositiveCount += other.PositiveCount;
        NegativeCount += other.NegativeCount;
        SampleCount += other.SampleCount;
    }

    /// <summary>Forgets everything added, for the next epoch.</summary>
    public void Clear()
    {
        PositiveProbabilitySum = 0;
        NegativeComplementSum = 0;
        PositiveCount = 0;
        NegativeCount = 0;
        SampleCount = 0;
    }
}
