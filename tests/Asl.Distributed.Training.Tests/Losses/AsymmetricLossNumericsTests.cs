using Asl.Distributed.Losses;
using Asl.Distributed.Training.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Tests.Losses;

/// <summary>The numeric pitfalls of asl-reference §4: NaN, half precision, dead gradients, autograd mode.</summary>
public sealed class AsymmetricLossNumericsTests
{
    private static readonly AsymmetricLossImplementation[] Implementations =
        [AsymmetricLossImplementation.Composite, AsymmetricLossImplementation.Fused];

    public static TheoryData<ScalarType> Precisions => new()
    {
        ScalarType.Float64, ScalarType.Float32, ScalarType.Float16, ScalarType.BFloat16,
    };

    [Theory]
    [MemberData(nameof(Precisions))]
    public void LossAndGradient_LogitsAcrossMinus100To100AndEveryGamma_AreFinite(ScalarType dtype)
    {
        var z = Enumerable.Range(0, 801).Select(k => -100 + k * 0.25).ToArray();
        double[] gammas = [0, 0.3, 0.5, 1, 2, 4];
        foreach (double targetValue in new[] { 0.0, 1.0, 0.3 })
        {
            var y = Enumerable.Repeat(targetValue, z.Length).ToArray();
            foreach (double gammaNeg in gammas)
                foreach (double gammaPos in gammas)
                    foreach (double clip in new[] { 0.0, 0.05 })
                        foreach (bool detach in new[] { true, false })
                        {
                            var s = new AsymmetricLossSettings(gammaNeg, gammaPos, clip, 1e-8, detach, LossReduction.None);
                            foreach (var implementation in Implementations)
                            {
                                var (loss, grad) = LossRunner.Run(implementation, z, y, s, dtype);
                                for (int i = 0; i < z.Length; i++)
                                {
                                    Assert.True(double.IsFinite(loss[i]) && double.IsFinite(grad[i]),
                                        $"{implementation} {dtype} {s} y={targetValue} z={z[i]}: loss {loss[i]}, grad {grad[i]}");
                                }
                            }
                        }
        }
    }

    [Theory]
    [InlineData(AsymmetricLossImplementation.Composite)]
    [InlineData(AsymmetricLossImplementation.Fused)]
    public void Positive_LogitBelowMinus18Point4InFloat32_KeepsOfficialDeadGradient(AsymmetricLossImplementation implementation)
    {
        // The official code clamps log(p) at eps = 1e-8: p = σ(−20) ≈ 2.1e-9 sits under the clamp, so the loss is the
        // constant −ln(1e-8) (γ+ = 0) and the gradient is zero. This implementation keeps that behaviour on purpose.
        var s = AsymmetricLossSettings.From(AsymmetricLossOptions.AslCoco) with { Reduction = LossReduction.None };
        var (loss, grad) = LossRunner.Run(implementation, [-20.0, -18.0], [1.0, 1.0], s, ScalarType.Float32);
        Assert.Equal(-Math.Log(1e-8), loss[0], 4);
        Assert.Equal(0, grad[0]);
        // Just above the clamp (σ(−18) ≈ 1.5e-8) the gradient is alive: −(1 − p) ≈ −1.
        Assert.Equal(-1, grad[1], 5);
    }

    [Theory]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    public void HalfPrecisionLogits_ComputeInFloat32_WithoutLogOfZero(ScalarType half)
    {
        using var scope = NewDisposeScope();
        // −20 in fp16: 1e-8 would round to 0 in fp16, and log(0)·0 = NaN; in float32 it stays finite.
        var values = new float[] { -20, -8, 0, 5, 12 };
        var logits = torch.tensor(values).to(half).requires_grad_(true);
        var targets = torch.tensor(new float[] { 0, 1, 0, 1, 0 });
        foreach (var implementation in Implementations)
        {
            logits.grad?.zero_();
            var s = AsymmetricLossSettings.From(AsymmetricLossOptions.Official);
            var loss = LossRunner.Compute(implementation, logits, targets, s);
            Assert.Equal(ScalarType.Float32, loss.dtype);
            var expected = LossRunner.Compute(implementation, logits.detach().to(ScalarType.Float32), targets, s);
            Assert.Equal(expected.item<float>(), loss.item<float>());
            loss.backward();
            Assert.Equal(half, logits.grad!.dtype);
            Assert.All(logits.grad.to(ScalarType.Float32).data<float>().ToArray(), g => Assert.True(float.IsFinite(g)));
        }
    }

    [Theory]
    [InlineData(AsymmetricLossImplementation.Composite, true)]
    [InlineData(AsymmetricLossImplementation.Composite, false)]
    [InlineData(AsymmetricLossImplementation.Fused, true)]
    [InlineData(AsymmetricLossImplementation.Fused, false)]
    public void Loss_CalledUnderEitherAutogradMode_LeavesTheCallersModeAsItWas(AsymmetricLossImplementation implementation, bool callerMode)
    {
        using var scope = NewDisposeScope();
        var logits = torch.randn(4, 6).requires_grad_(true);
        var targets = torch.ones(4, 6);
        var s = AsymmetricLossSettings.From(AsymmetricLossOptions.Official);
        using (torch.set_grad_enabled(callerMode))
        {
            var loss = LossRunner.Compute(implementation, logits, targets, s);
            Assert.Equal(callerMode, torch.is_grad_enabled());
            Assert.Equal(callerMode, loss.requires_grad);
        }
        Assert.True(torch.is_grad_enabled());
    }

    [Fact]
    public void Loss_TargetsShapeDiffers_ThrowsNamingBothShapes()
    {
        using var scope = NewDisposeScope();
        using var loss = new AsymmetricLoss();
        var error = Assert.Throws<ArgumentException>(() => loss.forward(torch.zeros(2, 3), torch.zeros(2, 4)));
        Assert.Contains("[2, 4]", error.Message);
        Assert.Contains("[2, 3]", error.Message);
    }

    [Fact]
    public void Loss_IntegerLogits_ThrowsNamingTheType()
    {
        using var scope = NewDisposeScope();
        using var loss = new AsymmetricLoss();
        var error = Assert.Throws<ArgumentException>(() => loss.forward(torch.zeros(2, 3, ScalarType.Int64), torch.zeros(2, 3)));
        Assert.Contains("Int64", error.Message);
    }
}
