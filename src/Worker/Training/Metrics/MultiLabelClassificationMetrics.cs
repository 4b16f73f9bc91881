using System.Globalization;

namespace Asl.Distributed.Training.Metrics;

/// <summary>
/// Multi-label precision, recall and F1 of hard predictions (thresholded or top-k), all as percentages (×100, like
/// mAP). Per class c, tp_c, predicted_c and positives_c are counts over the epoch; 0/0 counts as 0 everywhere, as
/// scikit-learn's <c>zero_division=0</c> does.
/// <list type="bullet">
/// <item>CP = mean_c tp_c/predicted_c and CR = mean_c tp_c/positives_c (scikit-learn <c>average='macro'</c>).</item>
/// <item>OP = Σtp/Σpredicted and OR = Σtp/Σpositives (<c>average='micro'</c>).</item>
/// <item>CF1 and OF1 are the harmonic means 2PR/(P+R) of those, not means of per-class F1.</item>
/// <item><see cref="MeanPerClassF1"/> is the official script's variant: the mean over classes of per-class F1
/// (scikit-learn's macro F1), which is generally different from CF1.</item>
/// </list>
/// </summary>
public sealed class MultiLabelClassificationMetrics
{
    private MultiLabelClassificationMetrics(long[] truePositives, long[] predicted, long[] actual)
    {
        TruePositives = truePositives;
        PredictedPositives = predicted;
        ActualPositives = actual;

        double precisionSum = 0;
        double recallSum = 0;
        double f1Sum = 0;
        long truePositiveTotal = 0;
        long predictedTotal = 0;
        long actualTotal = 0;
        for (int c = 0; c < truePositives.Length; c++)
        {
            double precision = Ratio(truePositives[c], predicted[c]);
            double recall = Ratio(truePositives[c], actual[c]);
            precisionSum += precision;
            recallSum += recall;
            f1Sum += HarmonicMean(precision, recall);
            truePositiveTotal += truePositives[c];
            predictedTotal += predicted[c];
            actualTotal += actual[c];
        }

        int classes = Math.Max(truePositives.Length, 1);
        CP = 100 * precisionSum / classes;
        CR = 100 * recallSum / classes;
        CF1 = HarmonicMean(CP, CR);
        OP = 100 * Ratio(truePositiveTotal, predictedTotal);
        OR = 100 * Ratio(truePositiveTotal, actualTotal);
        OF1 = HarmonicMean(OP, OR);
        MeanPerClassF1 = 100 * f1Sum / classes;
    }

    /// <summary>Per-class precision, averaged over classes (macro), ×100.</summary>
    public double CP { get; }

    /// <summary>Per-class recall, averaged over classes (macro), ×100.</summary>
    public double CR { get; }

    /// <summary>2·CP·CR/(CP+CR), ×100; 0 when both are 0.</summary>
    public double CF1 { get; }

    /// <summary>Overall precision Σtp/Σpredicted (micro), ×100.</summary>
    public double OP { get; }

    /// <summary>Overall recall Σtp/Σpositives (micro), ×100.</summary>
    public double OR { get; }

    /// <summary>2·OP·OR/(OP+OR), ×100; 0 when both are 0.</summary>
    public double OF1 { get; }

    /// <summary>
    /// Mean over classes of each class's F1 (the official validation script's number and scikit-learn's macro F1),
    /// ×100. Not <see cref="CF1"/>, which is the F1 of the mean precision and mean recall.
    /// </summary>
    public double MeanPerClassF1 { get; }

    /// <summary>tp_c: samples predicted positive for class c that are positive.</summary>
    public IReadOnlyList<long> TruePositives { get; }

    /// <summary>predicted_c: samples predicted positive for class c.</summary>
    public IReadOnlyList<long> PredictedPositives { get; }

    /// <summary>positives_c: samples whose target for class c is 1.</summary>
    public IReadOnlyList<long> ActualPositives { get; }

    /// <summary>
    /// The metrics from per-class counts, e.g. counts summed over data-parallel workers. The spans are copied.
    /// </summary>
    public static MultiLabelClassificationMetrics FromCounts(
        ReadOnlySpan<long> truePositives, ReadOnlySpan<long> predictedPositives, ReadOnlySpan<long> actualPositives)
    {
        if (predictedPositives.Length != truePositives.Length || actualPositives.Length != truePositives.Length)
        {
            throw new ArgumentException(
                $"Count arrays differ in length: {truePositives.Length} true positives, {predictedPositives.Length} " +
                $"predicted, {actualPositives.Length} actual; each needs one entry per class.",
                nameof(truePositives));
        }

        for (int c = 0; c < truePositives.Length; c++)
        {
            long tp = truePositives[c];
            if (tp < 0 || tp > predictedPositives[c] || tp > actualPositives[c])
            {
                throw new ArgumentException(
                    $"Class {c} has {tp} true positives, {predictedPositives[c]} predicted and {actualPositives[c]} " +
                    "actual positives; true positives must be between 0 and both other counts.",
                    nameof(truePositives));
            }
        }

        return new MultiLabelClassificationMetrics(
            truePositives.ToArray(), predictedPositives.ToArray(), actualPositives.ToArray());
    }

    /// <summary>One line for logs: the six standard numbers and the mean per-class F1, two decimals.</summary>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"CP {CP:F2} CR {CR:F2} CF1 {CF1:F2} OP {OP:F2} OR {OR:F2} OF1 {OF1:F2} MeanPerClassF1 {MeanPerClassF1:F2}");

    private static double Ratio(long numerator, long denominator) =>
        denominator == 0 ? 0 : (double)numerator / denominator;

    private static double HarmonicMean(double precision, double recall) =>
        precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
}
