using Asl.Distributed.Training.Metrics;

namespace Asl.Distributed.Training.Tests.Metrics;

/// <summary>
/// AP where the kernel switches strategy: classes with few positives are counted against their distinct positive
/// scores, classes with many are radix sorted; blocks of 16 classes mix both, and scores may be negative logits.
/// </summary>
public sealed class AveragePrecisionPathTests
{
    private const double Tolerance = 1e-9;

    [Theory]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(66)]
    [InlineData(300)]
    public void ComputeMeanAveragePrecision_PositiveCountAroundStrategySwitch_MatchesBruteForce(int positives)
    {
        // One class with exactly the given number of positives among 401 rows, next to classes of other sizes.
        const int rows = 401;
        const int classes = 3;
        var (scores, targets) = MetricsTestData.Generate(71, rows, classes, 20, 0.3);
        var random = new Random(positives);
        var chosen = Enumerable.Range(0, rows).OrderBy(_ => random.Next()).Take(positives).ToHashSet();
        for (int r = 0; r < rows; r++)
        {
            targets[r * classes + 1] = chosen.Contains(r) ? 1 : 0;
        }

        var map = MultiLabelScoreAccumulator.FromMatrix(scores, targets, classes).ComputeMeanAveragePrecision();

        for (int c = 0; c < classes; c++)
        {
            Assert.Equal(100 * ReferenceMetrics.AveragePrecision(scores, targets, classes, c)!.Value, map.PerClass[c], Tolerance);
        }
    }

    [Fact]
    public void ComputeMeanAveragePrecision_LongTailAcrossBlocks_MatchesBruteForce()
    {
        // 45 classes (three blocks, the last padded) whose positive rates fall from 60% to under 1%, so blocks mix
        // counted and sorted classes; 1,030 rows added in uneven batches span several chunks.
        const int rows = 1_030;
        const int classes = 45;
        var random = new Random(72);
        var scores = new float[rows * classes];
        var targets = new float[rows * classes];
        for (int i = 0; i < scores.Length; i++)
        {
            bool positive = random.NextDouble() < 0.6 / (1 + i % classes);
            scores[i] = MathF.Round((float)(positive ? 0.2 + 0.8 * random.NextDouble() : 0.8 * random.NextDouble()) * 50) / 50;
            targets[i] = positive ? 1 : 0;
        }

        var accumulator = new MultiLabelScoreAccumulator(classes);
        foreach (var (first, count) in new[] { (0, 3), (3, 300), (303, 500), (803, 227) })
        {
            accumulator.Add(MetricsTestData.Rows(scores, classes, first, count), MetricsTestData.Rows(targets, classes, first, count));
        }

        var map = accumulator.ComputeMeanAveragePrecision(NoPositiveClassPolicy.CountAsZero);

        Assert.Equal(ReferenceMetrics.MeanAveragePrecision(scores, targets, classes, NoPositiveClassPolicy.CountAsZero), map.Value, Tolerance);
        for (int c = 0; c < classes; c++)
        {
            double? expected = ReferenceMetrics.AveragePrecision(scores, targets, classes, c);
            Assert.Equal(expected.HasValue ? 100 * expected.Value : 0, map.PerClass[c], Tolerance);
        }
    }

    [Theory]
    [InlineData(10)]
    [InlineData(150)]
    public void ComputeMeanAveragePrecision_LogitsWithSignedZeros_MatchesBruteForce(int positives)
    {
        // Logits in [−5, 5] on a coarse grid, with −0 and +0 both present: they are one threshold, as to a float
        // comparison (and to scikit-learn). Both strategies are exercised through the positive count.
        const int rows = 300;
        var random = new Random(73 + positives);
        var scores = new float[rows];
        var targets = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            scores[r] = MathF.Round((random.NextSingle() - 0.5f) * 10) * 0.5f;
            if (scores[r] == 0 && random.Next(2) == 0)
            {
                scores[r] = -0f;
            }

            targets[r] = r < positives ? 1 : 0;
        }

        Assert.Contains(scores, s => s == 0 && float.IsNegative(s));
        Assert.Contains(scores, s => s == 0 && !float.IsNegative(s));

        var map = MultiLabelScoreAccumulator.FromMatrix(scores, targets, 1).ComputeMeanAveragePrecision();

        Assert.Equal(100 * ReferenceMetrics.AveragePrecision(scores, targets, 1, 0)!.Value, map.Value, Tolerance);
    }

    [Fact]
    public void ComputeMeanAveragePrecision_SignedZerosTied_FormOneThreshold()
    {
        // Scores +0(+) −0(−) −1(+): threshold 0 holds both zeros: tp 1, fp 1 → precision 1/2, recall gained 1/2;
        // threshold −1: tp 2, fp 1 → precision 2/3, recall gained 1/2. AP = 1/4 + 1/3 = 7/12.
        var map = MultiLabelScoreAccumulator.FromMatrix([0f, -0f, -1f], [1, 0, 1], 1).ComputeMeanAveragePrecision();

        Assert.Equal(100.0 * 7 / 12, map.Value, Tolerance);
    }

    [Fact]
    public void ComputeTopK_NegativeScoresAndPaddedBlock_ChoosesOnlyRealClasses()
    {
        // Three classes fill one block of 16; the padding lanes (score 0) must never be chosen over negative scores.
        // Row 0 [−3, −1, −2] → class 1 (a positive); row 1 [−0.5, −4, −0.25] → class 2 (a negative).
        float[] scores = [-3f, -1f, -2f, -0.5f, -4f, -0.25f];
        float[] targets = [0, 1, 0, 1, 0, 0];

        var top1 = MultiLabelScoreAccumulator.FromMatrix(scores, targets, 3).ComputeTopK(1);

        Assert.Equal(new long[] { 0, 1, 1 }, top1.PredictedPositives);
        Assert.Equal(new long[] { 0, 1, 0 }, top1.TruePositives);
    }

    [Fact]
    public void ComputeAtThreshold_NegativeThreshold_CountsOnlyRealClasses()
    {
        // At −2 the padding lanes (score 0) would be "predicted" if counted. Row 0 [−3, −1, 0.5] predicts classes 1
        // and 2, row 1 [−0.5, −4, 2] classes 0 and 2; positives are row 0 class 1 and row 1 class 0.
        var metrics = MultiLabelScoreAccumulator.FromMatrix([-3f, -1f, 0.5f, -0.5f, -4f, 2f], [0, 1, 0, 1, 0, 0], 3)
            .ComputeAtThreshold(-2f);

        Assert.Equal(new long[] { 1, 1, 2 }, metrics.PredictedPositives);
        Assert.Equal(new long[] { 1, 1, 0 }, metrics.TruePositives);
        Assert.Equal(new long[] { 1, 1, 0 }, metrics.ActualPositives);
    }
}
