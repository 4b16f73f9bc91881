using Asl.Distributed.Losses;
using Asl.Distributed.Training.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Tests.Losses;

/// <summary>Value and gradient of both implementations against the float64 reference and finite differences.</summary>
public sealed class AsymmetricLossGradientTests
{
    public static TheoryData<int> Grid => SettingsGrid.Indices();

    [Theory]
    [MemberData(nameof(Grid))]
    public void Composite_SettingsGridHardAndSoft_MatchesReferenceValueAndFiniteDifference(int setting) =>
        AssertMatchesReference(AsymmetricLossImplementation.Composite, setting);

    [Theory]
    [MemberData(nameof(Grid))]
    public void Fused_SettingsGridHardAndSoft_MatchesReferenceValueAndFiniteDifference(int setting) =>
        AssertMatchesReference(AsymmetricLossImplementation.Fused, setting);

    [Theory]
    [MemberData(nameof(Grid))]
    public void Fused_SettingsGridEveryReduction_EqualsCompositeInFloat64And32(int setting)
    {
        foreach (var reduction in Enum.GetValues<LossReduction>())
            AssertFusedEqualsComposite(SettingsGrid.At(setting) with { Reduction = reduction }, setting);
    }

    [Theory]
    [InlineData(2.5, 0.5, 0.05, true)]
    [InlineData(2.5, 0.5, 0.05, false)]
    [InlineData(0.3, 1.7, 0.0, false)]
    [InlineData(7.0, 3.0, 0.1, false)]
    public void Fused_FractionalOrLargeGammas_EqualsCompositeInFloat64And32(double gammaNeg, double gammaPos, double clip, bool detach)
    {
        // Fractional γ take the exp·log route for the weight, whole γ the route by multiplication.
        var s = new AsymmetricLossSettings(gammaNeg, gammaPos, clip, 1e-8, detach, LossReduction.Sum);
        AssertFusedEqualsComposite(s, (int)(gammaNeg * 10));
    }

    private static void AssertFusedEqualsComposite(AsymmetricLossSettings s, int seed)
    {
        foreach (bool soft in new[] { false, true })
        {
            // Wider logits than the finite-difference test: saturated labels are where the forms could part.
            var random = new Random(seed * 7 + (soft ? 1 : 0));
            var z = Enumerable.Range(0, 4 * 301).Select(_ => random.NextDouble() * 60 - 30).ToArray();
            var y = z.Select(_ => soft ? random.NextDouble() : random.Next(2)).ToArray();
            long[] shape = [4, 301];
            foreach (var (dtype, tolerance) in new[] { (ScalarType.Float64, 1e-12), (ScalarType.Float32, 1e-6) })
            {
                var fused = LossRunner.Run(AsymmetricLossImplementation.Fused, z, y, s, dtype, shape);
                var composite = LossRunner.Run(AsymmetricLossImplementation.Composite, z, y, s, dtype, shape);
                string what = $"{s} soft={soft} {dtype}";
                Assert.True(LossRunner.RelativeError(fused.Loss, composite.Loss) <= tolerance,
                    $"loss differs by {LossRunner.RelativeError(fused.Loss, composite.Loss):E2}: {what}");
                Assert.True(LossRunner.RelativeError(fused.Grad, composite.Grad) <= tolerance,
                    $"gradient differs by {LossRunner.RelativeError(fused.Grad, composite.Grad):E2}: {what}");
            }
        }
    }

    [Theory]
    [InlineData(AsymmetricLossImplementation.Composite)]
    [InlineData(AsymmetricLossImplementation.Fused)]
    public void Reductions_SameInputs_RelateAsSumMeanAndBatchMean(AsymmetricLossImplementation implementation)
    {
        var (z, y) = SettingsGrid.Sample(11, 3 * 5, soft: false, clip: 0.05);
        long[] shape = [3, 5];
        var official = AsymmetricLossSettings.From(AsymmetricLossOptions.Official);
        var sum = LossRunner.Run(implementation, z, y, official, shape: shape);
        var mean = LossRunner.Run(implementation, z, y, official with { Reduction = LossReduction.Mean }, shape: shape);
        var batchMean = LossRunner.Run(implementation, z, y, official with { Reduction = LossReduction.BatchMean }, shape: shape);
        var none = LossRunner.Run(implementation, z, y, official with { Reduction = LossReduction.None }, shape: shape);

        double expected = z.Select((zi, i) => AslReference.Loss(zi, y[i], official)).Sum();
        Assert.Equal(expected, sum.Loss[0], 12);
        Assert.Equal(expected / 15, mean.Loss[0], 12);
        Assert.Equal(expected / 3, batchMean.Loss[0], 12);
        Assert.Equal(15, none.Loss.Length);
        for (int i = 0; i < 15; i++)
        {
            Assert.Equal(sum.Grad[i] / 15, mean.Grad[i], 12);
            Assert.Equal(sum.Grad[i] / 3, batchMean.Grad[i], 12);
            Assert.Equal(sum.Grad[i], none.Grad[i], 12);
        }
    }

    private static void AssertMatchesReference(AsymmetricLossImplementation implementation, int setting)
    {
        var s = SettingsGrid.At(setting);
        foreach (bool soft in new[] { false, true })
        {
            var (z, y) = SettingsGrid.Sample(setting * 2 + (soft ? 1 : 0), 64, soft, s.Clip);
            var perLabel = LossRunner.Run(implementation, z, y, s with { Reduction = LossReduction.None });
            for (int i = 0; i < z.Length; i++)
            {
                string where = $"{s} soft={soft} z={z[i]:R} y={y[i]}";
                double value = AslReference.Loss(z[i], y[i], s);
                Assert.True(Math.Abs(perLabel.Loss[i] - value) <= 1e-12 * Math.Max(1, Math.Abs(value)),
                    $"loss {perLabel.Loss[i]:R} vs reference {value:R}: {where}");
                double fd = AslReference.Gradient(z[i], y[i], s);
                Assert.True(Math.Abs(perLabel.Grad[i] - fd) <= 1e-6 * Math.Max(1, Math.Abs(fd)),
                    $"gradient {perLabel.Grad[i]:R} vs finite difference {fd:R}: {where}");
            }
        }
    }
}
