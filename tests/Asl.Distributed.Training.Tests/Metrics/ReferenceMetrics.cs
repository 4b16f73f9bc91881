using Asl.Distributed.Training.Metrics;

namespace Asl.Distributed.Training.Tests.Metrics;

/// <summary>
/// Direct, deliberately naive definitions of the metrics, written independently of the production kernels: O(N²)
/// average precision and plain counting.
/// </summary>
internal static class ReferenceMetrics
{
    /// <summary>
    /// AP of one class as a fraction: the mean over positives of the precision at that positive's threshold, where
    /// the precision counts every sample scoring &gt;= the positive's score. Null when the class has no positive.
    /// </summary>
    public static double? AveragePrecision(float[] scores, float[] targets, int classes, int c)
    {
        int rows = scores.Length / classes;
        int positives = 0;
        double sum = 0;
        for (int i = 0; i < rows; i++)
        {
            if (targets[i * classes + c] != 1f)
            {
                continue;
            }

            positives++;
            double score = scores[i * classes + c];
            int atOrAbove = 0;
            int positivesAtOrAbove = 0;
            for (int j = 0; j < rows; j++)
            {
                if (scores[j * classes + c] >= score)
                {
                    atOrAbove++;
                    positivesAtOrAbove += targets[j * classes + c] == 1f ? 1 : 0;
                }
            }

            sum += (double)positivesAtOrAbove / atOrAbove;
        }

        return positives == 0 ? null : sum / positives;
    }

    /// <summary>mAP ×100 under a policy, from <see cref="AveragePrecision"/>.</summary>
    public static double MeanAveragePrecision(float[] scores, float[] targets, int classes, NoPositiveClassPolicy policy)
    {
        var values = new List<double>();
        for (int c = 0; c < classes; c++)
        {
            double? ap = AveragePrecision(scores, targets, classes, c);
            if (ap.HasValue)
            {
                values.Add(ap.Value);
            }
            else if (policy == NoPositiveClassPolicy.CountAsZero)
            {
                values.Add(0);
            }
        }

        return 100 * values.Average();
    }

    /// <summary>Per-class (true positives, predicted, actual) when score &gt;= threshold predicts positive.</summary>
    public static (long[] Tp, long[] Predicted, long[] Actual) CountAtThreshold(
        float[] scores, float[] targets, int classes, float threshold) =>
        Count(scores, targets, classes, (row, c) => scores[row * classes + c] >= threshold);

    /// <summary>Per-class counts when each row predicts its k best classes, ties to the lower class index.</summary>
    public static (long[] Tp, long[] Predicted, long[] Actual) CountTopK(float[] scores, float[] targets, int classes, int k)
    {
        int rows = scores.Length / classes;
        var chosen = new HashSet<(int Row, int Class)>();
        for (int row = 0; row < rows; row++)
        {
            int r = row;
            foreach (int c in Enumerable.Range(0, classes).OrderByDescending(c => scores[r * classes + c]).ThenBy(c => c).Take(k))
            {
                chosen.Add((row, c));
            }
        }

        return Count(scores, targets, classes, (row, c) => chosen.Contains((row, c)));
    }

    /// <summary>[CP, CR, CF1, OP, OR, OF1, mean per-class F1], ×100, straight from the definitions.</summary>
    public static double[] Summary(long[] tp, long[] predicted, long[] actual)
    {
        int classes = tp.Length;
        double Div(double a, double b) => b == 0 ? 0 : a / b;
        double F1(double p, double r) => p + r == 0 ? 0 : 2 * p * r / (p + r);
        double cp = Enumerable.Range(0, classes).Average(c => Div(tp[c], predicted[c]));
        double cr = Enumerable.Range(0, classes).Average(c => Div(tp[c], actual[c]));
        double op = Div(tp.Sum(), predicted.Sum());
        double or = Div(tp.Sum(), actual.Sum());
        double meanF1 = Enumerable.Range(0, classes).Average(c => F1(Div(tp[c], predicted[c]), Div(tp[c], actual[c])));
        return [100 * cp, 100 * cr, 100 * F1(cp, cr), 100 * op, 100 * or, 100 * F1(op, or), 100 * meanF1];
    }

    /// <summary>The same seven numbers read off a result, in the same order as <see cref="Summary"/>.</summary>
    public static double[] Summary(MultiLabelClassificationMetrics m) =>
        [m.CP, m.CR, m.CF1, m.OP, m.OR, m.OF1, m.MeanPerClassF1];

    private static (long[] Tp, long[] Predicted, long[] Actual) Count(
        float[] scores, float[] targets, int classes, Func<int, int, bool> predicts)
    {
        var tp = new long[classes];
        var predicted = new long[classes];
        var actual = new long[classes];
        for (int row = 0; row < scores.Length / classes; row++)
        {
            for (int c = 0; c < classes; c++)
            {
                bool positive = targets[row * classes + c] == 1f;
                bool predictedPositive = predicts(row, c);
                actual[c] += positive ? 1 : 0;
                predicted[c] += predictedPositive ? 1 : 0;
                tp[c] += positive && predictedPositive ? 1 : 0;
            }
        }

        return (tp, predicted, actual);
    }
}
