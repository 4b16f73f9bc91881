using Asl.Distributed.Training.Metrics;

namespace Asl.Distributed.Training.Tests.Metrics;

/// <summary>mAP against hand-computed values and against the O(N²) definition on random data with ties.</summary>
public sealed class AveragePrecisionTests
{
    private const double Tolerance = 1e-9;

    [Fact]
    public void ComputeMeanAveragePrecision_DistinctScores_EqualsMeanPrecisionAtPositives()
    {
        // Ranked 0.9(+) 0.8(−) 0.7(+) 0.6(−): precision 1/1 at the first positive, 2/3 at the second.
        // AP = (1 + 2/3) / 2 = 5/6.
        var map = MultiLabelScoreAccumulator.FromMatrix([0.9f, 0.8f, 0.7f, 0.6f], [1, 0, 1, 0], 1)
            .ComputeMeanAveragePrecision();

        Assert.Equal(100.0 * 5 / 6, map.Value, Tolerance);
        Assert.Equal(100.0 * 5 / 6, map.PerClass[0], Tolerance);
    }

    [Fact]
    public void ComputeMeanAveragePrecision_TiedScores_FormOneThreshold()
    {
        // Scores 0.9(−) 0.5(+) 0.5(−) 0.5(+) 0.1(+); P = 3.
        // Threshold 0.9: tp 0, fp 1, no recall gained.
        // Threshold 0.5: tp 2, fp 2, precision 1/2, recall gained 2/3 → 1/3.
        // Threshold 0.1: tp 3, fp 2, precision 3/5, recall gained 1/3 → 1/5.
        // AP = 1/3 + 1/5 = 8/15 (positives-first tie breaking would give 0.589, negatives-first 0.478).
        var map = MultiLabelScoreAccumulator.FromMatrix([0.9f, 0.5f, 0.5f, 0.5f, 0.1f], [0, 1, 0, 1, 1], 1)
            .ComputeMeanAveragePrecision();

        Assert.Equal(100.0 * 8 / 15, map.Value, Tolerance);
    }

    [Theory]
    [InlineData(NoPositiveClassPolicy.Exclude, 100.0 * 2 / 3)]
    [InlineData(NoPositiveClassPolicy.CountAsZero, 100.0 * 4 / 9)]
    public void ComputeMeanAveragePrecision_ClassWithoutPositives_FollowsPolicy(NoPositiveClassPolicy policy, double expected)
    {
        // Class 0: 0.9(+) 0.8(−) 0.7(+) 0.6(−) → AP 5/6 (as above).
        // Class 1: all four scores tie at 0.5 with 2 positives → one threshold, precision 2/4 → AP 1/2.
        // Class 2: no positive. Exclude: (5/6 + 1/2) / 2 = 2/3. CountAsZero: (5/6 + 1/2 + 0) / 3 = 4/9.
        float[] scores =
        [
            0.9f, 0.5f, 0.3f,
            0.8f, 0.5f, 0.2f,
            0.7f, 0.5f, 0.1f,
            0.6f, 0.5f, 0.4f,
        ];
        float[] targets =
        [
            1, 1, 0,
            0, 0, 0,
            1, 0, 0,
            0, 1, 0,
        ];

        var map = MultiLabelScoreAccumulator.FromMatrix(scores, targets, 3).ComputeMeanAveragePrecision(policy);

        Assert.Equal(expected, map.Value, Tolerance);
        Assert.Equal(100.0 * 5 / 6, map.PerClass[0], Tolerance);
        Assert.Equal(50.0, map.PerClass[1], Tolerance);
        Assert.Equal(policy == NoPositiveClassPolicy.Exclude ? double.NaN : 0.0, map.PerClass[2]);
        Assert.Equal(policy == NoPositiveClassPolicy.Exclude ? 2 : 3, map.CountedClassCount);
        Assert.Equal(1, map.ClassesWithoutPositives);
        Assert.Equal(policy, map.Policy);
    }

    [Fact]
    public void ComputeMeanAveragePrecision_PerfectRankingAndAllPositive_EqualsHundred()
    {
        // Class 0 ranks both positives first; class 1 is positive everywhere: every precision is 1.
        float[] scores = [0.9f, 0.1f, 0.8f, 0.1f, 0.2f, 0.7f];
        float[] targets = [1, 1, 1, 1, 0, 1];

        var map = MultiLabelScoreAccumulator.FromMatrix(scores, targets, 2).ComputeMeanAveragePrecision();

        Assert.Equal(100.0, map.Value, Tolerance);
    }

    [Theory]
    [InlineData(1, 60, 3, 10, 0.3)]
    [InlineData(2, 700, 19, 10, 0.1)]
    [InlineData(3, 400, 37, 4, 0.5)]
    [InlineData(4, 500, 17, 0, 0.05)]
    [InlineData(5, 300, 16, 2, 0.9)]
    public void ComputeMeanAveragePrecision_RandomScoresWithTies_MatchesBruteForceDefinition(
        int seed, int rows, int classes, int levels, double positiveRate)
    {
        var (scores, targets) = MetricsTestData.Generate(seed, rows, classes, levels, positiveRate, classesWithoutPositives: 1);
        // Batches of 13 rows cross the accumulator's chunk boundaries at odd places.
        var accumulator = new MultiLabelScoreAccumulator(classes);
        for (int first = 0; first < rows; first += 13)
        {
            int count = Math.Min(13, rows - first);
            accumulator.Add(MetricsTestData.Rows(scores, classes, first, count), MetricsTestData.Rows(targets, classes, first, count));
        }

        foreach (var policy in new[] { NoPositiveClassPolicy.Exclude, NoPositiveClassPolicy.CountAsZero })
        {
            var map = accumulator.ComputeMeanAveragePrecision(policy);

            Assert.Equal(ReferenceMetrics.MeanAveragePrecision(scores, targets, classes, policy), map.Value, Tolerance);
            for (int c = 0; c < classes; c++)
            {
                double? expected = ReferenceMetrics.AveragePrecision(scores, targets, classes, c);
                double expectedPercent = expected.HasValue ? 100 * expected.Value
                    : policy == NoPositiveClassPolicy.Exclude ? double.NaN : 0;
                Assert.Equal(expectedPercent, map.PerClass[c], Tolerance);
            }
        }
    }

    [Fact]
    public void ComputeMeanAveragePrecision_BatchesAndClear_EqualOneShot()
    {
        var (scores, targets) = MetricsTestData.Generate(7, 1_000, 21, 10, 0.2);
        var (otherScores, otherTargets) = MetricsTestData.Generate(8, 300, 21, 10, 0.2);
        var oneShot = MultiLabelScoreAccumulator.FromMatrix(scores, targets, 21).ComputeMeanAveragePrecision();

        var accumulator = new MultiLabelScoreAccumulator(21);
        accumulator.Add(otherScores, otherTargets);
        accumulator.Clear();
        foreach (int batch in new[] { 1, 255, 256, 257, 31, 200 })
        {
            int first = accumulator.SampleCount;
            accumulator.Add(MetricsTestData.Rows(scores, 21, first, batch), MetricsTestData.Rows(targets, 21, first, batch));
        }

        var batched = accumulator.ComputeMeanAveragePrecision();

        Assert.Equal(1_000, accumulator.SampleCount);
        Assert.Equal(oneShot.PerClass, batched.PerClass);
        Assert.Equal(oneShot.Value, batched.Value);
    }

    [Fact]
    public void ComputeMeanAveragePrecision_ByteTargets_EqualFloatTargets()
    {
        var (scores, targets) = MetricsTestData.Generate(9, 200, 5, 10, 0.3);
        var bytes = new MultiLabelScoreAccumulator(5);
        bytes.Add(scores, targets.Select(t => (byte)t).ToArray());

        var expected = MultiLabelScoreAccumulator.FromMatrix(scores, targets, 5).ComputeMeanAveragePrecision();

        Assert.Equal(expected.PerClass, bytes.ComputeMeanAveragePrecision().PerClass);
    }

    [Fact]
    public void ComputeMeanAveragePrecision_NoSamples_IsNaN()
    {
        var map = new MultiLabelScoreAccumulator(4).ComputeMeanAveragePrecision();

        Assert.True(double.IsNaN(map.Value));
        Assert.Equal(4, map.ClassesWithoutPositives);
        Assert.Equal(0, map.CountedClassCount);
    }
}
