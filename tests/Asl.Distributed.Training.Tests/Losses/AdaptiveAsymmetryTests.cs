using System.Text.Json;
using Asl.Distributed.Configuration;
using Asl.Distributed.Losses;
using Asl.Distributed.Training.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Tests.Losses;

/// <summary>
/// <see cref="AdaptiveAsymmetry"/> and <see cref="AdaptiveAsymmetryState"/>: the probability gap against values worked
/// out by hand, the update against its closed form, and checkpoint round trips against an uninterrupted run.
/// </summary>
public sealed class AdaptiveAsymmetryTests
{
    private static readonly AdaptiveAsymmetryOptions Options = new() { Lambda = 0.01, TargetProbGap = 0.1, GammaNegMin = 1, GammaNegMax = 6 };

    [Fact]
    public void ProbabilityGap_HardTargets_EqualsHandComputedGap()
    {
        using var scope = torch.NewDisposeScope();
        // p = [[0.9, 0.2], [0.6, 0.5]]; positives at (0,0), (1,1): p_t+ = (0.9 + 0.5) / 2 = 0.7;
        // negatives at (0,1), (1,0): p_t− = (0.8 + 0.4) / 2 = 0.6; Δp = 0.6 − 0.7 = −0.1.
        var logits = Logits(new[,] { { 0.9, 0.2 }, { 0.6, 0.5 } }, ScalarType.Float32).requires_grad_(true);
        var targets = torch.tensor(new long[] { 1, 0, 0, 1 }, [2, 2]);

        var gap = AdaptiveAsymmetry.ProbabilityGap(logits, targets);

        Assert.Equal(-0.1, gap, 6);
        Assert.True(torch.is_grad_enabled());
    }

    [Fact]
    public void GapSums_AddedOverShardsOfABatch_GiveTheWholeBatchsGap()
    {
        using var scope = torch.NewDisposeScope();
        var logits = torch.randn(12, 5, ScalarType.Float64, generator: new torch.Generator(9));
        var targets = torch.rand(12, 5, ScalarType.Float64, generator: new torch.Generator(10)).gt(0.6).to(ScalarType.Float64);
        var sums = new double[AdaptiveAsymmetry.GapSumCount];
        foreach (var rows in new[] { (0, 5), (5, 4), (9, 3) })
        {
            var part = AdaptiveAsymmetry.GapSums(logits.narrow(0, rows.Item1, rows.Item2), targets.narrow(0, rows.Item1, rows.Item2));
            for (int i = 0; i < sums.Length; i++)
                sums[i] += part[i];
        }

        Assert.Equal(AdaptiveAsymmetry.ProbabilityGap(logits, targets), AdaptiveAsymmetry.ProbabilityGap(sums), 12);
        Assert.Throws<ArgumentException>(() => AdaptiveAsymmetry.ProbabilityGap(new double[3]));
        Assert.True(double.IsNaN(AdaptiveAsymmetry.ProbabilityGap([0, 4, 0, 1])));
    }

    [Fact]
    public void ProbabilityGap_SoftTargetsInFloat64_WeighsEachLabelByItsTarget()
    {
        using var scope = torch.NewDisposeScope();
        // p = [0.8, 0.4, 0.1], y = [1, 0.5, 0]: p_t+ = (0.8 + 0.5·0.4) / 1.5 = 2/3;
        // p_t− = (0.5·0.6 + 0.9) / 1.5 = 0.8; Δp = 0.8 − 2/3 = 2/15.
        var logits = Logits(new[,] { { 0.8, 0.4, 0.1 } }, ScalarType.Float64);
        var targets = torch.tensor(new[] { 1.0, 0.5, 0.0 }, [1, 3]);

        Assert.Equal(2.0 / 15, AdaptiveAsymmetry.ProbabilityGap(logits, targets), 12);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void ProbabilityGap_NoPositivesOrNoNegatives_IsNaN(double everyTarget)
    {
        using var scope = torch.NewDisposeScope();
        var logits = torch.zeros(2, 3);
        var targets = torch.full(2, 3, everyTarget);

        Assert.True(double.IsNaN(AdaptiveAsymmetry.ProbabilityGap(logits, targets)));
    }

    [Fact]
    public void ProbabilityGap_MismatchedShapes_ThrowsArgumentException()
    {
        using var scope = torch.NewDisposeScope();
        var error = Assert.Throws<ArgumentException>(() => AdaptiveAsymmetry.ProbabilityGap(torch.zeros(2, 3), torch.zeros(3, 2)));
        Assert.Contains("shape", error.Message);
    }

    [Fact]
    public void Update_FiniteGap_MovesGammaByLambdaTimesDistanceToTarget()
    {
        var controller = new AdaptiveAsymmetry(Options, initialGammaNeg: 4);

        var first = controller.Update(0.3);
        var second = controller.Update(-0.2);

        Assert.Equal(4 + 0.01 * (0.3 - 0.1), first);
        Assert.Equal(4 + 0.01 * (0.3 - 0.1) + 0.01 * (-0.2 - 0.1), second);
        Assert.Equal(new AdaptiveAsymmetryState(second, 2, -0.2, 0), controller.State);
        Assert.Equal(second, controller.GammaNeg);
    }

    [Fact]
    public void Update_ConstantGap_GammaGrowsLinearlyUntilUpperBound()
    {
        var controller = new AdaptiveAsymmetry(Options, initialGammaNeg: 4);

        for (var step = 1; step <= 100; step++)
            Assert.Equal(4 + step * 0.01 * 0.5, controller.Update(0.6), 12);
        // 4 + 400·0.005 = 6 is reached and then held.
        for (var step = 0; step < 400; step++)
            controller.Update(0.6);

        Assert.Equal(6, controller.GammaNeg);
        Assert.Equal(500, controller.State.Steps);
    }

    [Fact]
    public void Update_GapFarBelowTarget_ClampsAtLowerBound()
    {
        var controller = new AdaptiveAsymmetry(Options with { Lambda = 10 }, initialGammaNeg: 2);

        Assert.Equal(1, controller.Update(-1));
        Assert.Equal(1, controller.Update(-0.5));
        Assert.Equal(Options.GammaNegMax, controller.Update(1));
    }

    [Fact]
    public void Update_HugeLambda_StaysFiniteAtTheBounds()
    {
        var controller = new AdaptiveAsymmetry(Options with { Lambda = double.MaxValue }, initialGammaNeg: 2);

        Assert.Equal(6, controller.Update(1));
        Assert.Equal(1, controller.Update(-1));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Update_NonFiniteGap_LeavesGammaUnchangedAndCountsSkip(double gap)
    {
        var controller = new AdaptiveAsymmetry(Options, initialGammaNeg: 4);
        controller.Update(0.2);
        var before = controller.GammaNeg;

        Assert.Equal(before, controller.Update(gap));
        Assert.Equal(before, controller.Update(gap));

        Assert.Equal(before, controller.GammaNeg);
        Assert.Equal(1, controller.State.Steps);
        Assert.Equal(2, controller.State.SkippedUpdates);
        Assert.Equal(gap, controller.State.LastProbGap);
    }

    [Fact]
    public void Step_Batch_UpdatesWithTheBatchGapAndReturnsIt()
    {
        using var scope = torch.NewDisposeScope();
        var controller = new AdaptiveAsymmetry(Options, initialGammaNeg: 4);
        var logits = Logits(new[,] { { 0.9, 0.2 }, { 0.6, 0.5 } }, ScalarType.Float64);
        var targets = torch.tensor(new long[] { 1, 0, 0, 1 }, [2, 2]);

        var gap = controller.Step(logits, targets);

        Assert.Equal(-0.1, gap, 12);
        Assert.Equal(4 + 0.01 * (gap - 0.1), controller.GammaNeg);
    }

    [Fact]
    public void Restore_AfterJsonRoundTrip_ContinuesBitForBitLikeAnUninterruptedRun()
    {
        var random = new Random(5);
        var gaps = Enumerable.Range(0, 60).Select(i => i == 29 ? double.NaN : random.NextDouble() * 2 - 1).ToArray();
        var uninterrupted = new AdaptiveAsymmetry(Options, initialGammaNeg: 3.7);
        var first = new AdaptiveAsymmetry(Options, initialGammaNeg: 3.7);
        foreach (var gap in gaps[..30])
        {
            uninterrupted.Update(gap);
            first.Update(gap);
        }

        var json = first.State.ToJson();
        var resumed = new AdaptiveAsymmetry(Options, initialGammaNeg: 1);
        resumed.Restore(AdaptiveAsymmetryState.FromJson(json));
        Assert.True(double.IsNaN(resumed.State.LastProbGap));
        foreach (var gap in gaps[30..])
            Assert.Equal(BitConverter.DoubleToInt64Bits(uninterrupted.Update(gap)), BitConverter.DoubleToInt64Bits(resumed.Update(gap)));

        Assert.Equal(uninterrupted.State, resumed.State);
        Assert.Equal(59, resumed.State.Steps);
        Assert.Equal(1, resumed.State.SkippedUpdates);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(-0.1234567890123456789)]
    public void ToJson_AnyLastGap_RoundTripsExactly(double lastGap)
    {
        var state = new AdaptiveAsymmetryState(0.1 + 0.2, long.MaxValue, lastGap, 7);

        var back = AdaptiveAsymmetryState.FromJson(state.ToJson());

        Assert.Equal(state, back);
        Assert.Equal(BitConverter.DoubleToInt64Bits(state.GammaNeg), BitConverter.DoubleToInt64Bits(back.GammaNeg));
    }

    [Theory]
    [InlineData("""{"steps":1,"last_prob_gap":0,"skipped_updates":0}""", "'gamma_neg'")]
    [InlineData("""{"gamma_neg":4,"last_prob_gap":0,"skipped_updates":0}""", "'steps'")]
    [InlineData("""{"gamma_neg":4,"steps":1,"skipped_updates":0}""", "'last_prob_gap'")]
    [InlineData("""{"gamma_neg":4,"steps":1,"last_prob_gap":0}""", "'skipped_updates'")]
    [InlineData("""{"gamma_neg":-1,"steps":1,"last_prob_gap":0,"skipped_updates":0}""", "'gamma_neg'")]
    [InlineData("""{"gamma_neg":"NaN","steps":1,"last_prob_gap":0,"skipped_updates":0}""", "'gamma_neg'")]
    [InlineData("""{"gamma_neg":"four","steps":1,"last_prob_gap":0,"skipped_updates":0}""", "'gamma_neg'")]
    [InlineData("""{"gamma_neg":4,"steps":1.5,"last_prob_gap":0,"skipped_updates":0}""", "'steps'")]
    [InlineData("""{"gamma_neg":4,"steps":1,"last_prob_gap":0,"skipped_updates":-2}""", "'skipped_updates'")]
    [InlineData("""[4, 1, 0, 0]""", "object")]
    [InlineData("""{"gamma_neg":4,""", "not valid JSON")]
    public void FromJson_BadOrMissingField_ThrowsNamingIt(string json, string expectedInMessage)
    {
        var error = Assert.Throws<JsonException>(() => AdaptiveAsymmetryState.FromJson(json));
        Assert.Contains(expectedInMessage, error.Message);
    }

    [Theory]
    [InlineData(0.5, 0, 0, "GammaNeg")]
    [InlineData(6.5, 0, 0, "GammaNeg")]
    [InlineData(double.NaN, 0, 0, "GammaNeg")]
    [InlineData(4, -1, 0, "Steps")]
    [InlineData(4, 0, -1, "SkippedUpdates")]
    public void Restore_InvalidState_ThrowsNamingFieldAndKeepsState(double gammaNeg, long steps, long skipped, string field)
    {
        var controller = new AdaptiveAsymmetry(Options, initialGammaNeg: 4);
        var before = controller.State;

        var error = Assert.Throws<ArgumentException>(() => controller.Restore(new AdaptiveAsymmetryState(gammaNeg, steps, 0, skipped)));

        Assert.StartsWith(field, error.Message);
        Assert.Equal(before, controller.State);
    }

    [Fact]
    public void Constructor_StartOutsideBounds_ThrowsConfigException()
    {
        Assert.Throws<ConfigException>(() => new AdaptiveAsymmetry(Options, initialGammaNeg: 7));
        Assert.Throws<ConfigException>(() => new AdaptiveAsymmetry(Options, initialGammaNeg: double.NaN));
        var fresh = new AdaptiveAsymmetry(Options, initialGammaNeg: 4).State;
        Assert.Equal((4.0, 0L, 0L), (fresh.GammaNeg, fresh.Steps, fresh.SkippedUpdates));
        Assert.True(double.IsNaN(fresh.LastProbGap));
    }

    /// <summary>Logits whose sigmoid is exactly the given probability (up to rounding).</summary>
    private static Tensor Logits(double[,] probabilities, ScalarType dtype)
    {
        var values = probabilities.Cast<double>().Select(p => Math.Log(p / (1 - p))).ToArray();
        return torch.tensor(values, [probabilities.GetLength(0), probabilities.GetLength(1)], dtype: dtype);
    }
}
