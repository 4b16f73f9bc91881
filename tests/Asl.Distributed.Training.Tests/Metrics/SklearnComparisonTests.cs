using System.Text.Json;
using Asl.Distributed.Training.Metrics;

namespace Asl.Distributed.Training.Tests.Metrics;

/// <summary>The metrics against scikit-learn 1.x on random data with many tied scores.</summary>
public sealed class SklearnComparisonTests
{
    private const double RelativeTolerance = 1e-9;

    // Positive rates put classes on both sides of the kernel's switch at 64 positives: ~20–30 positives per class
    // (counted against distinct positive scores) and ~70–120 (radix sorted).
    [Theory]
    [InlineData(31, 600, 12, 10, 0.15, 0.5f, 3)]
    [InlineData(32, 450, 20, 4, 0.15, 0.8f, 1)]
    [InlineData(33, 800, 9, 0, 0.15, 0.5f, 2)]
    [InlineData(34, 900, 40, 10, 0.03, 0.5f, 2)]
    [InlineData(35, 500, 17, 20, 0.05, 0.3f, 5)]
    public void Metrics_RandomScoresWithTies_MatchScikitLearn(
        int seed, int rows, int classes, int levels, double positiveRate, float threshold, int k)
    {
        var (scores, targets) = MetricsTestData.Generate(seed, rows, classes, levels, positiveRate, classesWithoutPositives: 2);
        var accumulator = new MultiLabelScoreAccumulator(classes);
        for (int first = 0; first < rows; first += 64)
        {
            int count = Math.Min(64, rows - first);
            accumulator.Add(MetricsTestData.Rows(scores, classes, first, count), MetricsTestData.Rows(targets, classes, first, count));
        }

        var sklearn = SklearnReference.Run(scores, targets, classes, threshold, k);

        var excluded = accumulator.ComputeMeanAveragePrecision();
        var zeroed = accumulator.ComputeMeanAveragePrecision(NoPositiveClassPolicy.CountAsZero);
        var expectedAp = sklearn.GetProperty("ap").EnumerateArray()
            .Select(e => e.ValueKind == JsonValueKind.Null ? (double?)null : e.GetDouble()).ToArray();
        Assert.Null(expectedAp[2]);
        for (int c = 0; c < classes; c++)
        {
            AssertClose(expectedAp[c].HasValue ? 100 * expectedAp[c]!.Value : double.NaN, excluded.PerClass[c], $"AP of class {c}");
        }

        var present = expectedAp.Where(a => a.HasValue).Select(a => a!.Value).ToArray();
        AssertClose(100 * present.Average(), excluded.Value, "mAP (exclude)");
        AssertClose(100 * present.Sum() / classes, zeroed.Value, "mAP (count as zero)");

        AssertMatches(sklearn.GetProperty("threshold"), accumulator.ComputeAtThreshold(threshold), $"threshold {threshold}");
        AssertMatches(sklearn.GetProperty("top_k"), accumulator.ComputeTopK(k), $"top-{k}");
    }

    private static void AssertMatches(JsonElement expected, MultiLabelClassificationMetrics actual, string rule)
    {
        var macro = expected.GetProperty("macro");
        var micro = expected.GetProperty("micro");
        double macroPrecision = macro.GetProperty("precision").GetDouble();
        double macroRecall = macro.GetProperty("recall").GetDouble();
        // scikit-learn has no F1 of the macro averages; it is formed here from its macro precision and recall.
        double cf1 = macroPrecision + macroRecall == 0 ? 0 : 2 * macroPrecision * macroRecall / (macroPrecision + macroRecall);

        AssertClose(100 * macroPrecision, actual.CP, $"CP at {rule}");
        AssertClose(100 * macroRecall, actual.CR, $"CR at {rule}");
        AssertClose(100 * cf1, actual.CF1, $"CF1 at {rule}");
        AssertClose(100 * micro.GetProperty("precision").GetDouble(), actual.OP, $"OP at {rule}");
        AssertClose(100 * micro.GetProperty("recall").GetDouble(), actual.OR, $"OR at {rule}");
        AssertClose(100 * micro.GetProperty("f1").GetDouble(), actual.OF1, $"OF1 at {rule}");
        AssertClose(100 * macro.GetProperty("f1").GetDouble(), actual.MeanPerClassF1, $"MeanPerClassF1 at {rule}");
    }

    private static void AssertClose(double expected, double actual, string what)
    {
        bool close = double.IsNaN(expected)
            ? double.IsNaN(actual)
            : Math.Abs(expected - actual) <= RelativeTolerance * Math.Max(1, Math.Abs(expected));
        Assert.True(close, $"{what}: scikit-learn {expected:R}, ours {actual:R}");
    }
}
