using Asl.Distributed.Losses;
using Asl.Distributed.Training.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Tests.Losses;

/// <summary>Properties the paper and asl-reference §1 state: reductions to BCE and focal loss, the margin, the peak.</summary>
public sealed class AsymmetricLossPropertyTests
{
    private static readonly AsymmetricLossImplementation[] Implementations =
        [AsymmetricLossImplementation.Composite, AsymmetricLossImplementation.Fused];

    [Fact]
    public void BcePreset_ModerateLogits_EqualsBinaryCrossEntropyWithLogits()
    {
        var (z, y) = SettingsGrid.Sample(5, 200, soft: true, clip: 0);
        for (int i = 0; i < z.Length; i++) z[i] *= 2.5; // [−15, 15]: the eps clamps stay inactive
        var bce = AsymmetricLossSettings.From(AsymmetricLossOptions.Bce);
        using var scope = NewDisposeScope();
        var logits = torch.tensor(z).requires_grad_(true);
        var reference = nn.functional.binary_cross_entropy_with_logits(logits, torch.tensor(y), reduction: nn.Reduction.Sum);
        reference.backward();
        var referenceGrad = logits.grad!.data<double>().ToArray();
        foreach (var implementation in Implementations)
        {
            var (loss, grad) = LossRunner.Run(implementation, z, y, bce);
            Assert.Equal(reference.item<double>(), loss[0], 9);
            Assert.True(LossRunner.RelativeError(grad, referenceGrad) < 1e-10, $"{implementation} gradient differs from BCE");
        }
    }

    [Fact]
    public void FocalSettings_RandomLabels_EqualFocalLossAndItsDerivative()
    {
        const double gamma = 2;
        var focal = AsymmetricLossSettings.From(AsymmetricLossOptions.Focal(gamma)) with { DetachFocalWeight = false, Reduction = LossReduction.None };
        var (z, y) = SettingsGrid.Sample(6, 200, soft: false, clip: 0);
        // Focal loss of Lin et al.: −(1 − pt)^γ · ln pt with pt the probability of the true class.
        static double Focal(double zi, double yi, double g)
        {
            double p = 1 / (1 + Math.Exp(-zi));
            double pt = yi == 1 ? p : 1 - p;
            return -Math.Pow(1 - pt, g) * Math.Log(pt);
        }
        foreach (var implementation in Implementations)
        {
            var (loss, grad) = LossRunner.Run(implementation, z, y, focal);
            for (int i = 0; i < z.Length; i++)
            {
                Assert.Equal(Focal(z[i], y[i], gamma), loss[i], 12);
                double fd = (Focal(z[i] + 1e-6, y[i], gamma) - Focal(z[i] - 1e-6, y[i], gamma)) / 2e-6;
                Assert.True(Math.Abs(fd - grad[i]) <= 1e-7 * Math.Max(1, Math.Abs(fd)), $"{implementation} z={z[i]}: {grad[i]} vs {fd}");
            }
        }
    }

    [Theory]
    [InlineData(4, 0.05)]
    [InlineData(2, 0.2)]
    [InlineData(1, 0.05)]
    public void Negatives_ProbabilityBelowClip_GetZeroLossAndZeroGradient(double gammaNeg, double clip)
    {
        var z = Enumerable.Range(1, 40).Select(k => Logit(clip * k / 41.0)).ToArray();
        var y = new double[z.Length];
        foreach (bool detach in new[] { true, false })
        {
            var s = new AsymmetricLossSettings(gammaNeg, 1, clip, 1e-8, detach, LossReduction.None);
            foreach (var implementation in Implementations)
            {
                var (loss, grad) = LossRunner.Run(implementation, z, y, s);
                Assert.All(loss, l => Assert.Equal(0, l));
                Assert.All(grad, g => Assert.Equal(0, g));
            }
        }
    }

    [Theory]
    [InlineData(4, 0.05, false, 0.90)]
    [InlineData(4, 0.05, true, 0.93)]
    [InlineData(2, 0.2, false, 0.84)]
    [InlineData(2, 0.2, true, 0.86)]
    public void NegativeGradient_WithMargin_RisesToPeakAtReferenceProbabilityThenReturnsToZero(
        double gammaNeg, double clip, bool detach, double peakProbability)
    {
        var s = new AsymmetricLossSettings(gammaNeg, 0, clip, 1e-8, detach, LossReduction.None);
        var p = Enumerable.Range(1, 4000).Select(k => clip + (1 - clip) * k / 4001.0).ToArray();
        var z = p.Select(Logit).ToArray();
        var y = new double[z.Length];
        foreach (var implementation in Implementations)
        {
            var (_, grad) = LossRunner.Run(implementation, z, y, s);
            for (int i = 0; i < p.Length; i++)
            {
                double closedForm = AslReference.NegativeGradientClosedForm(p[i], gammaNeg, clip, detach);
                Assert.True(Math.Abs(grad[i] - closedForm) <= 1e-9 * Math.Max(closedForm, 1e-12), $"p={p[i]}: {grad[i]} vs {closedForm}");
                Assert.True(grad[i] >= 0, $"negative gradient below zero at p={p[i]}");
            }
            int peak = Array.IndexOf(grad, grad.Max());
            Assert.InRange(p[peak], peakProbability - 0.01, peakProbability + 0.01);
            // Monotone rise before the peak and fall after it.
            for (int i = 1; i <= peak; i++) Assert.True(grad[i] >= grad[i - 1], $"not rising at p={p[i]}");
            for (int i = peak + 1; i < p.Length; i++) Assert.True(grad[i] <= grad[i - 1], $"not falling at p={p[i]}");

            // Towards p = 1 it falls back to zero: at z = 40 (1 − p = 4.2e-18, which float64 keeps when it is not
            // formed as 1 − σ(z)) it is about 7e-17, the float64 reference's value.
            var (_, saturated) = LossRunner.Run(implementation, [40.0], [0.0], s);
            double expected = AslReference.AnalyticGradient(40, 0, s);
            Assert.InRange(expected, 1e-18, 1e-15);
            Assert.True(Math.Abs(saturated[0] - expected) <= 1e-9 * expected, $"z=40: {saturated[0]:R} vs {expected:R}");
        }
    }

    [Fact]
    public void Loss_EverySettingAndRandomLabels_IsNeverNegative()
    {
        foreach (var s in SettingsGrid.All(LossReduction.None))
        {
            var random = new Random(9);
            var z = Enumerable.Range(0, 500).Select(_ => random.NextDouble() * 200 - 100).ToArray();
            var y = z.Select(_ => random.NextDouble() < 0.5 ? random.NextDouble() : random.Next(2)).ToArray();
            foreach (var implementation in Implementations)
            {
                var (loss, _) = LossRunner.Run(implementation, z, y, s, ScalarType.Float32);
                Assert.All(loss, l => Assert.True(l >= 0, $"{implementation} {s}: loss {l}"));
            }
        }
    }

    private static double Logit(double p) => Math.Log(p / (1 - p));
}
