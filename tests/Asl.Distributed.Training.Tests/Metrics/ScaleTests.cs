using Asl.Distributed.Training.Metrics;

namespace Asl.Distributed.Training.Tests.Metrics;

/// <summary>A larger epoch completes and agrees with a sort-based AP on sampled classes (no timing is asserted).</summary>
public sealed class ScaleTests
{
    [Fact]
    public void ComputeMeanAveragePrecision_20000By200_AgreesWithSortBasedApOnSampledClasses()
    {
        const int rows = 20_000;
        const int classes = 200;
        var (scores, targets) = MetricsTestData.Generate(61, rows, classes, 1000, 0.02, classesWithoutPositives: 199);
        var accumulator = new MultiLabelScoreAccumulator(classes);
        for (int first = 0; first < rows; first += 500)
        {
            accumulator.Add(MetricsTestData.Rows(scores, classes, first, 500), MetricsTestData.Rows(targets, classes, first, 500));
        }

        var map = accumulator.ComputeMeanAveragePrecision();
        var atHalf = accumulator.ComputeAtThreshold(0.5f);
        var top3 = accumulator.ComputeTopK(3);

        Assert.Equal(199, map.CountedClassCount);
        Assert.InRange(map.Value, 0, 100);
        Assert.Equal(rows * 3, top3.PredictedPositives.Sum());
        Assert.Equal(targets.Sum(), atHalf.ActualPositives.Sum());
        foreach (int c in new[] { 0, 17, 128, 198 })
        {
            Assert.Equal(100 * SortedAveragePrecision(scores, targets, classes, c), map.PerClass[c], 1e-9);
        }
    }

    /// <summary>AP by sorting the class's scores descending and walking groups of equal scores.</summary>
    private static double SortedAveragePrecision(float[] scores, float[] targets, int classes, int c)
    {
        var column = Enumerable.Range(0, scores.Length / classes)
            .Select(i => (Score: scores[i * classes + c], Positive: targets[i * classes + c] == 1f))
            .OrderByDescending(p => p.Score)
            .ToArray();
        int positives = column.Count(p => p.Positive);
        double ap = 0;
        int seen = 0;
        int truePositives = 0;
        foreach (var group in column.GroupBy(p => p.Score))
        {
            int groupPositives = group.Count(p => p.Positive);
            seen += group.Count();
            truePositives += groupPositives;
            ap += (double)groupPositives / positives * truePositives / seen;
        }

        return ap;
    }
}
