using Asl.Distributed.Training.Metrics;

namespace Asl.Distributed.Training.Tests.Metrics;

/// <summary>The probability gap Δp = p_t− − p_t+ over an epoch.</summary>
public sealed class ProbabilityGapAccumulatorTests
{
    [Fact]
    public void Gap_HandMadeBatch_EqualsClosedForm()
    {
        // Positives have p 0.9 and 0.4 → p_t+ = 0.65. Negatives have p 0.2 and 0.1 → 1 − p = 0.8, 0.9 → p_t− = 0.85.
        // Δp = 0.85 − 0.65 = 0.2.
        var gap = new ProbabilityGapAccumulator(2);

        gap.Add([0.9f, 0.2f, 0.4f, 0.1f], [1, 0, 1, 0]);

        Assert.Equal(0.65, gap.MeanPositiveProbability, 1e-7);
        Assert.Equal(0.85, gap.MeanNegativeComplement, 1e-7);
        Assert.Equal(0.2, gap.Gap, 1e-7);
        Assert.Equal(2, gap.PositiveCount);
        Assert.Equal(2, gap.NegativeCount);
        Assert.Equal(2, gap.SampleCount);
    }

    [Fact]
    public void Gap_AddedInBatches_EqualsOneShotOnConcatenation()
    {
        var (probabilities, targets) = MetricsTestData.Generate(41, 500, 7, 0, 0.3);
        var oneShot = new ProbabilityGapAccumulator(7);
        oneShot.Add(probabilities, targets);

        var batched = new ProbabilityGapAccumulator(7);
        foreach (var (first, count) in new[] { (0, 1), (1, 99), (100, 250), (350, 150) })
        {
            batched.Add(MetricsTestData.Rows(probabilities, 7, first, count), MetricsTestData.Rows(targets, 7, first, count));
        }

        Assert.Equal(oneShot.Gap, batched.Gap);
        Assert.Equal(oneShot.PositiveProbabilitySum, batched.PositiveProbabilitySum);
        Assert.Equal(oneShot.NegativeComplementSum, batched.NegativeComplementSum);
        Assert.Equal(oneShot.PositiveCount, batched.PositiveCount);
        Assert.Equal(500, batched.SampleCount);
        var negatives = Enumerable.Range(0, targets.Length).Where(i => targets[i] == 0).Select(i => 1 - (double)probabilities[i]);
        var positives = Enumerable.Range(0, targets.Length).Where(i => targets[i] == 1).Select(i => (double)probabilities[i]);
        Assert.Equal(negatives.Average() - positives.Average(), batched.Gap, 1e-12);
    }

    [Fact]
    public void Merge_TwoHalves_EqualsOneShotToRounding()
    {
        var (probabilities, targets) = MetricsTestData.Generate(42, 100, 3, 0, 0.3);
        var oneShot = new ProbabilityGapAccumulator(3);
        oneShot.Add(probabilities, targets);
        var first = new ProbabilityGapAccumulator(3);
        var second = new ProbabilityGapAccumulator(3);
        first.Add(MetricsTestData.Rows(probabilities, 3, 0, 40), MetricsTestData.Rows(targets, 3, 0, 40));
        second.Add(MetricsTestData.Rows(probabilities, 3, 40, 60), MetricsTestData.Rows(targets, 3, 40, 60));

        first.Merge(second);

        Assert.Equal(oneShot.Gap, first.Gap, 1e-12);
        Assert.Equal(100, first.SampleCount);
    }

    [Fact]
    public void Gap_NoPositiveOrNoNegative_IsNaN()
    {
        var onlyNegatives = new ProbabilityGapAccumulator(2);
        onlyNegatives.Add([0.1f, 0.2f], [0, 0]);
        var onlyPositives = new ProbabilityGapAccumulator(2);
        onlyPositives.Add([0.1f, 0.2f], [1, 1]);

        Assert.True(double.IsNaN(onlyNegatives.Gap));
        Assert.True(double.IsNaN(onlyPositives.Gap));
        Assert.True(double.IsNaN(new ProbabilityGapAccumulator(1).Gap));
    }

    [Fact]
    public void Clear_AfterBatch_StartsOver()
    {
        var gap = new ProbabilityGapAccumulator(1);
        gap.Add([0.5f], [1]);

        gap.Clear();
        gap.Add([0.25f, 0.5f], [1, 0]);

        Assert.Equal(0.5 - 0.25, gap.Gap);
    }

    [Theory]
    [InlineData(1.5f, "1.5")]
    [InlineData(-0.25f, "-0.25")]
    [InlineData(float.NaN, "NaN")]
    public void Add_ProbabilityOutsideUnitInterval_ThrowsNamingRowClassAndValue(float bad, string shown)
    {
        var gap = new ProbabilityGapAccumulator(3);
        gap.Add([0.1f, 0.2f, 0.3f], [0, 1, 0]);
        float[] probabilities = [0.1f, 0.2f, 0.3f, 0.4f, bad, 0.6f];

        var error = Assert.Throws<ArgumentException>(() => gap.Add(probabilities, [0, 0, 0, 0, 1, 0]));

        Assert.Contains("row 1 of this batch (sample 2 of the epoch), class 1", error.Message);
        Assert.Contains($"is {shown};", error.Message);
        Assert.Equal(1, gap.SampleCount);
    }

    [Fact]
    public void Add_TargetNotBinary_ThrowsNamingRowClassAndValue()
    {
        var gap = new ProbabilityGapAccumulator(2);

        var error = Assert.Throws<ArgumentException>(() => gap.Add([0.1f, 0.2f, 0.3f, 0.4f], [0, 1, 0.7f, 0]));

        Assert.Contains("targets at row 1 of this batch (sample 1 of the epoch), class 0 is 0.7", error.Message);
    }

    [Fact]
    public void Add_LengthsDiffer_Throws()
    {
        var gap = new ProbabilityGapAccumulator(2);

        var error = Assert.Throws<ArgumentException>(() => gap.Add([0.1f, 0.2f], [0, 1, 0, 1]));

        Assert.Contains("targets hold 4 values but probabilities hold 2", error.Message);
    }
}
