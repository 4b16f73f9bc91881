using Asl.Distributed.Training.Metrics;

namespace Asl.Distributed.Training.Tests.Metrics;

/// <summary>CP, CR, CF1, OP, OR, OF1 and the mean per-class F1 at a threshold and at top-k.</summary>
public sealed class ClassificationMetricsTests
{
    private const double Tolerance = 1e-9;

    [Fact]
    public void ComputeAtThreshold_HandMadeMatrix_EqualsClosedForm()
    {
        // Threshold 0.5, predicted positive when score >= 0.5 (row 1 class 1 sits exactly on it):
        //   class 0: predicted rows 0, 2; positives rows 0, 1; tp 1 → P 1/2, R 1/2, F1 1/2
        //   class 1: predicted rows 0, 1; positives rows 1, 3; tp 1 → P 1/2, R 1/2, F1 1/2
        //   class 2: predicted row 2;     positives rows 2, 3; tp 1 → P 1,   R 1/2, F1 2/3
        // CP = 2/3, CR = 1/2, CF1 = 2·(2/3)(1/2)/(7/6) = 4/7, mean per-class F1 = (1/2 + 1/2 + 2/3)/3 = 5/9.
        // OP = 3/5, OR = 3/6, OF1 = 2·(3/5)(1/2)/(11/10) = 6/11.
        float[] scores =
        [
            0.9f, 0.6f, 0.1f,
            0.4f, 0.5f, 0.2f,
            0.7f, 0.3f, 0.8f,
            0.2f, 0.1f, 0.3f,
        ];
        float[] targets =
        [
            1, 0, 0,
            1, 1, 0,
            0, 0, 1,
            0, 1, 1,
        ];

        var metrics = MultiLabelScoreAccumulator.FromMatrix(scores, targets, 3).ComputeAtThreshold(0.5f);

        Assert.Equal(new long[] { 1, 1, 1 }, metrics.TruePositives);
        Assert.Equal(new long[] { 2, 2, 1 }, metrics.PredictedPositives);
        Assert.Equal(new long[] { 2, 2, 2 }, metrics.ActualPositives);
        Assert.Equal(100.0 * 2 / 3, metrics.CP, Tolerance);
        Assert.Equal(50.0, metrics.CR, Tolerance);
        Assert.Equal(100.0 * 4 / 7, metrics.CF1, Tolerance);
        Assert.Equal(60.0, metrics.OP, Tolerance);
        Assert.Equal(50.0, metrics.OR, Tolerance);
        Assert.Equal(100.0 * 6 / 11, metrics.OF1, Tolerance);
        Assert.Equal(100.0 * 5 / 9, metrics.MeanPerClassF1, Tolerance);
    }

    [Fact]
    public void ComputeTopK_TiedScores_LowerClassIndexWins()
    {
        // k = 1: row 0 ties classes 1 and 2 at 0.9 → class 1; row 1 ties all → class 0; row 2 → class 2.
        //   class 0: predicted 1, tp 1, positives 1 → P 1, R 1
        //   class 1: predicted 1, tp 0, positives 0 → P 0, R 0/0 = 0
        //   class 2: predicted 1, tp 1, positives 2 → P 1, R 1/2
        // CP = 2/3, CR = 1/2; OP = 2/3, OR = 2/3.
        // k = 2: row 0 → {1, 2}, row 1 → {0, 1}, row 2 → {2, 1}: predicted [1, 3, 2], tp [1, 0, 2].
        float[] scores =
        [
            0.5f, 0.9f, 0.9f,
            0.3f, 0.3f, 0.3f,
            0.1f, 0.2f, 0.8f,
        ];
        float[] targets =
        [
            0, 0, 1,
            1, 0, 0,
            0, 0, 1,
        ];
        var accumulator = MultiLabelScoreAccumulator.FromMatrix(scores, targets, 3);

        var top1 = accumulator.ComputeTopK(1);
        var top2 = accumulator.ComputeTopK(2);

        Assert.Equal(new long[] { 1, 1, 1 }, top1.PredictedPositives);
        Assert.Equal(new long[] { 1, 0, 1 }, top1.TruePositives);
        Assert.Equal(new long[] { 1, 0, 2 }, top1.ActualPositives);
        Assert.Equal(100.0 * 2 / 3, top1.CP, Tolerance);
        Assert.Equal(50.0, top1.CR, Tolerance);
        Assert.Equal(100.0 * 2 / 3, top1.OP, Tolerance);
        Assert.Equal(100.0 * 2 / 3, top1.OR, Tolerance);
        Assert.Equal(new long[] { 1, 3, 2 }, top2.PredictedPositives);
        Assert.Equal(new long[] { 1, 0, 2 }, top2.TruePositives);
    }

    [Theory]
    [InlineData(11, 0.5f)]
    [InlineData(12, 0.8f)]
    [InlineData(13, 0.3f)]
    [InlineData(14, 2f)]
    public void ComputeAtThreshold_RandomScoresWithTies_MatchesDirectCount(int seed, float threshold)
    {
        var (scores, targets) = MetricsTestData.Generate(seed, 257, 23, 10, 0.2, classesWithoutPositives: 4);
        var (tp, predicted, actual) = ReferenceMetrics.CountAtThreshold(scores, targets, 23, threshold);

        var metrics = MultiLabelScoreAccumulator.FromMatrix(scores, targets, 23).ComputeAtThreshold(threshold);

        Assert.Equal(tp, metrics.TruePositives);
        Assert.Equal(predicted, metrics.PredictedPositives);
        Assert.Equal(actual, metrics.ActualPositives);
        AssertClose(ReferenceMetrics.Summary(tp, predicted, actual), ReferenceMetrics.Summary(metrics));
    }

    [Theory]
    [InlineData(21, 1)]
    [InlineData(22, 3)]
    [InlineData(23, 23)]
    public void ComputeTopK_RandomScoresWithTies_MatchesDirectCount(int seed, int k)
    {
        var (scores, targets) = MetricsTestData.Generate(seed, 257, 23, 4, 0.2);
        var (tp, predicted, actual) = ReferenceMetrics.CountTopK(scores, targets, 23, k);

        var metrics = MultiLabelScoreAccumulator.FromMatrix(scores, targets, 23).ComputeTopK(k);

        Assert.Equal(tp, metrics.TruePositives);
        Assert.Equal(predicted, metrics.PredictedPositives);
        AssertClose(ReferenceMetrics.Summary(tp, predicted, actual), ReferenceMetrics.Summary(metrics));
    }

    [Fact]
    public void FromCounts_NothingPredicted_IsZeroNotNaN()
    {
        var metrics = MultiLabelClassificationMetrics.FromCounts([0, 0], [0, 0], [3, 0]);

        Assert.Equal(new double[7], ReferenceMetrics.Summary(metrics));
    }

    [Fact]
    public void FromCounts_MoreTruePositivesThanPredicted_ThrowsNamingClass()
    {
        var error = Assert.Throws<ArgumentException>(() => MultiLabelClassificationMetrics.FromCounts([1, 5], [1, 4], [9, 9]));

        Assert.Contains("Class 1 has 5 true positives, 4 predicted", error.Message);
    }

    [Fact]
    public void FromCounts_LengthsDiffer_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => MultiLabelClassificationMetrics.FromCounts([1, 2], [1, 2, 3], [1, 2]));

        Assert.Contains("3 predicted", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void ComputeTopK_KOutOfRange_Throws(int k)
    {
        var accumulator = MultiLabelScoreAccumulator.FromMatrix([0.1f, 0.2f, 0.3f], [0, 1, 0], 3);

        Assert.Throws<ArgumentOutOfRangeException>(() => accumulator.ComputeTopK(k));
    }

    [Fact]
    public void ComputeAtThreshold_NaNThreshold_Throws()
    {
        var accumulator = MultiLabelScoreAccumulator.FromMatrix([0.1f], [1], 1);

        Assert.Throws<ArgumentException>(() => accumulator.ComputeAtThreshold(float.NaN));
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        string[] names = ["CP", "CR", "CF1", "OP", "OR", "OF1", "MeanPerClassF1"];
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance, $"{names[i]}: expected {expected[i]}, got {actual[i]}");
        }
    }
}
