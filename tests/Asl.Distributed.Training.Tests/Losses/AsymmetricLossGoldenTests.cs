using Asl.Distributed.Losses;
using Asl.Distributed.Training.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Tests.Losses;

/// <summary>Single labels whose loss is worked out by hand from asl-reference §1.</summary>
public sealed class AsymmetricLossGoldenTests
{
    public static TheoryData<string, double, double, double> Cases => new()
    {
        // Official defaults, positive at p = 0.5: −(1 − 0.5)^1 · ln 0.5.
        { "asl", 0.0, 1.0, 0.5 * Math.Log(2) },
        // Official defaults, negative at p = 0.5: p_m = 0.45, −0.45^4 · ln(1 − 0.45).
        { "asl", 0.0, 0.0, -Math.Pow(0.45, 4) * Math.Log(0.55) },
        // COCO script, negative at p = 0.75 (z = ln 3): p_m = 0.70, −0.7^4 · ln 0.3.
        { "asl-coco", Math.Log(3), 0.0, -Math.Pow(0.7, 4) * Math.Log(0.3) },
        // COCO script, positive with γ+ = 0 at p = 0.75: plain −ln 0.75.
        { "asl-coco", Math.Log(3), 1.0, -Math.Log(0.75) },
        // A negative below the margin (p = 0.03 < 0.05) costs nothing.
        { "asl", Math.Log(0.03 / 0.97), 0.0, 0.0 },
        // BCE at z = 2 for a positive: ln(1 + e^−2).
        { "bce", 2.0, 1.0, Math.Log(1 + Math.Exp(-2)) },
        // Focal γ = 2 at p = 0.25 (z = −ln 3) for a negative: −0.25² · ln 0.75.
        { "focal", -Math.Log(3), 0.0, -0.0625 * Math.Log(0.75) },
        // Soft target y = 0.25 at p = 0.5, official: pt = 0.25·0.5 + 0.75·0.55 = 0.5375, exponent 0.25 + 3 = 3.25,
        // loss = −0.4625^3.25 · (0.25 ln 0.5 + 0.75 ln 0.55).
        { "asl", 0.0, 0.25, -Math.Pow(0.4625, 3.25) * (0.25 * Math.Log(0.5) + 0.75 * Math.Log(0.55)) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Loss_HandComputedLabel_EqualsClosedForm(string preset, double z, double y, double expected)
    {
        var settings = AsymmetricLossSettings.From(AsymmetricLossOptions.FromPreset(preset));
        foreach (var implementation in new[] { AsymmetricLossImplementation.Composite, AsymmetricLossImplementation.Fused })
        {
            var (loss, _) = LossRunner.Run(implementation, [z], [y], settings);
            Assert.Equal(expected, loss[0], 14);
            var (loss32, _) = LossRunner.Run(implementation, [z], [y], settings, ScalarType.Float32);
            Assert.Equal(expected, loss32[0], 6);
        }
    }

    [Fact]
    public void Module_DefaultOptions_AreTheOfficialClassDefaults()
    {
        using var loss = new AsymmetricLoss();
        Assert.Equal(4, loss.Options.GammaNeg);
        Assert.Equal(1, loss.Options.GammaPos);
        Assert.Equal(0.05, loss.Options.Clip);
        Assert.Equal(1e-8, loss.Options.Eps);
        Assert.True(loss.Options.DisableTorchGradFocalLoss);
        Assert.Equal(LossReduction.Sum, loss.Options.Reduction);
    }

    [Fact]
    public void Module_AutoOnCpu_EqualsExplicitImplementations()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        var logits = torch.randn(8, 20) * 4;
        var targets = torch.rand(8, 20).gt(0.8).to(torch.float32);
        using var auto = new AsymmetricLoss();
        using var fused = new AsymmetricLoss(implementation: AsymmetricLossImplementation.Fused);
        using var composite = new AsymmetricLoss(implementation: AsymmetricLossImplementation.Composite);
        double a = auto.forward(logits, targets).item<float>();
        Assert.Equal(fused.forward(logits, targets).item<float>(), a);
        Assert.Equal(composite.forward(logits, targets).item<float>(), a, 3);
    }

    [Fact]
    public void Module_WithAdaptiveAsymmetry_UsesTheControllersCurrentGammaNeg()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(4);
        var logits = torch.randn(6, 10) * 3;
        var targets = torch.rand(6, 10).gt(0.7).to(torch.float32);
        var adaptive = new AdaptiveAsymmetry(new AdaptiveAsymmetryOptions { Lambda = 1, TargetProbGap = 0 }, initialGammaNeg: 4);
        using var loss = new AsymmetricLoss(AsymmetricLossOptions.Official, adaptive: adaptive);
        adaptive.Update(-1.5); // γ− ← 4 + 1·(−1.5 − 0) = 2.5
        Assert.Equal(2.5, loss.GammaNeg);
        using var fixedLoss = new AsymmetricLoss(AsymmetricLossOptions.Official with { GammaNeg = 2.5 });
        Assert.Equal(fixedLoss.forward(logits, targets).item<float>(), loss.forward(logits, targets).item<float>());
    }

    [Theory]
    [InlineData(AsymmetricLossImplementation.Composite)]
    [InlineData(AsymmetricLossImplementation.Fused)]
    public void Loss_NaNLogit_GivesNaNLossSoTheTrainerCanStop(AsymmetricLossImplementation implementation)
    {
        var s = AsymmetricLossSettings.From(AsymmetricLossOptions.Official);
        var (loss, _) = LossRunner.Run(implementation, [0.5, double.NaN, -1], [1, 0, 0], s, ScalarType.Float32);
        Assert.True(double.IsNaN(loss[0]));
    }
}
