namespace Asl.Distributed.Training.Metrics;

/// <summary>
/// Mean average precision and its per-class terms, as percentages (×100). A class's AP is the non-interpolated
/// average precision over all samples ranked by score, with tied scores forming one threshold exactly as in
/// scikit-learn's <c>average_precision_score</c>: AP = Σ_k (R_k − R_{k−1})·P_k over distinct score thresholds.
/// A class without any positive target has no AP; <see cref="Policy"/> says whether it was left out of the mean
/// (its entry in <see cref="PerClass"/> is NaN) or counted as 0 (entry 0).
/// </summary>
public sealed class MeanAveragePrecisionResult
{
    internal MeanAveragePrecisionResult(double[] fractions, NoPositiveClassPolicy policy)
    {
        if (!Enum.IsDefined(policy))
        {
            throw new ArgumentOutOfRangeException(nameof(policy), policy, "Unknown no-positive class policy.");
        }

        var perClass = new double[fractions.Length];
        double sum = 0;
        int counted = 0;
        int withoutPositives = 0;
        for (int c = 0; c < fractions.Length; c++)
        {
            double ap = fractions[c];
            if (double.IsNaN(ap))
            {
                withoutPositives++;
                if (policy == NoPositiveClassPolicy.Exclude)
                {
                    perClass[c] = double.NaN;
                    continue;
                }

                ap = 0;
            }

            perClass[c] = 100 * ap;
            sum += ap;
            counted++;
        }

        Policy = policy;
        PerClass = perClass;
        CountedClassCount = counted;
        ClassesWithoutPositives = withoutPositives;
        Value = counted == 0 ? double.NaN : 100 * sum / counted;
    }

    /// <summary>
    /// mAP ×100: the mean of the counted classes' AP. NaN when no class is counted (no sample, or no positive at all
    /// under <see cref="NoPositiveClassPolicy.Exclude"/>).
    /// </summary>
    public double Value { get; }

    /// <summary>
    /// AP of each class ×100, indexed by class; NaN for a class without positives under
    /// <see cref="NoPositiveClassPolicy.Exclude"/>, 0 under <see cref="NoPositiveClassPolicy.CountAsZero"/>.
    /// </summary>
    public IReadOnlyList<double> PerClass { get; }

    /// <summary>The policy used for classes without positives.</summary>
    public NoPositiveClassPolicy Policy { get; }

    /// <summary>How many classes the mean is over.</summary>
    public int CountedClassCount { get; }

    /// <summary>How many classes had no positive target.</summary>
    public int ClassesWithoutPositives { get; }
}
