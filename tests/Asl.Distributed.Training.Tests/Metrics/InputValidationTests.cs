using Asl.Distributed.Training.Metrics;

namespace Asl.Distributed.Training.Tests.Metrics;

/// <summary>Bad batches are rejected with messages that say what is wrong and where, and nothing of them is kept.</summary>
public sealed class InputValidationTests
{
    [Fact]
    public void Add_ScoresNotWholeRows_ThrowsNamingLengthAndClassCount()
    {
        var accumulator = new MultiLabelScoreAccumulator(4);

        var error = Assert.Throws<ArgumentException>(() => accumulator.Add(new float[10], new float[10]));

        Assert.Contains("scores holds 10 values, which is not a whole number of rows of 4 classes", error.Message);
        Assert.Equal("scores", error.ParamName);
    }

    [Fact]
    public void Add_TargetsLengthDiffers_ThrowsNamingBothLengths()
    {
        var accumulator = new MultiLabelScoreAccumulator(4);

        var error = Assert.Throws<ArgumentException>(() => accumulator.Add(new float[8], new float[12]));

        Assert.Contains("targets hold 12 values but scores hold 8", error.Message);
        Assert.Contains("2 rows", error.Message);
        Assert.Equal("targets", error.ParamName);
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    [InlineData(float.NegativeInfinity, "-Infinity")]
    public void Add_NonFiniteScore_ThrowsNamingRowClassAndValue(float bad, string shown)
    {
        const int classes = 7;
        var accumulator = new MultiLabelScoreAccumulator(classes);
        accumulator.Add(new float[3 * classes], new float[3 * classes]);
        // Row 20 class 5 of a 40-row batch: past the vectorized part's first blocks, so its fallback locates it.
        var scores = new float[40 * classes];
        scores[20 * classes + 5] = bad;

        var error = Assert.Throws<ArgumentException>(() => accumulator.Add(scores, new float[40 * classes]));

        Assert.Contains($"scores at row 20 of this batch (sample 23 of the epoch), class 5 is {shown};", error.Message);
        Assert.Contains("must be finite", error.Message);
        Assert.Equal(3, accumulator.SampleCount);
    }

    [Fact]
    public void Add_FloatTargetNotBinary_ThrowsNamingRowClassAndValue()
    {
        var accumulator = new MultiLabelScoreAccumulator(3);
        var targets = new float[30];
        targets[3 * 9 + 2] = 0.5f;

        var error = Assert.Throws<ArgumentException>(() => accumulator.Add(new float[30], targets));

        Assert.Contains("targets at row 9 of this batch (sample 9 of the epoch), class 2 is 0.5; targets must be 0 or 1", error.Message);
        Assert.Equal(0, accumulator.SampleCount);
    }

    [Fact]
    public void Add_ByteTargetNotBinary_ThrowsNamingRowClassAndValue()
    {
        var accumulator = new MultiLabelScoreAccumulator(5);
        var targets = new byte[500];
        targets[5 * 77 + 4] = 2;

        var error = Assert.Throws<ArgumentException>(() => accumulator.Add(new float[500], targets));

        Assert.Contains("row 77 of this batch (sample 77 of the epoch), class 4 is 2;", error.Message);
    }

    [Fact]
    public void Add_RejectedBatch_KeepsEarlierSamplesUnchanged()
    {
        var (scores, targets) = MetricsTestData.Generate(51, 50, 3, 10, 0.3);
        var accumulator = MultiLabelScoreAccumulator.FromMatrix(scores, targets, 3);
        var before = accumulator.ComputeMeanAveragePrecision().PerClass;
        var badTargets = new float[30];
        badTargets[29] = -1;

        Assert.Throws<ArgumentException>(() => accumulator.Add(new float[30], badTargets));

        Assert.Equal(50, accumulator.SampleCount);
        Assert.Equal(before, accumulator.ComputeMeanAveragePrecision().PerClass);
    }

    [Fact]
    public void Constructor_NoClasses_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MultiLabelScoreAccumulator(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProbabilityGapAccumulator(0));
    }
}
