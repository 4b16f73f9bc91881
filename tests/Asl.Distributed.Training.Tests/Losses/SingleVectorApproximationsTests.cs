using System.Runtime.Intrinsics;
using Asl.Distributed.Training.Losses;

namespace Asl.Distributed.Training.Tests.Losses;

/// <summary>The fused kernel's float32 exp and log against float64 Math.Exp / Math.Log.</summary>
public sealed class SingleVectorApproximationsTests
{
    [Fact]
    public void Exp_AcrossTheFloatRange_WithinTwoUlpOfFloat64()
    {
        var random = new Random(1);
        var inputs = Enumerable.Range(0, 200_000).Select(_ => (float)(random.NextDouble() * 174 - 87)).ToArray();
        AssertWithinUlp(inputs, SingleVectorApproximations.Exp, Math.Exp, 2);
    }

    [Fact]
    public void Log_AcrossTheFloatRange_WithinTwoUlpOfFloat64()
    {
        var random = new Random(2);
        // Log-uniform over [1e-37, 1e37] plus the region near 1, where log is small and relative error shows.
        var inputs = Enumerable.Range(0, 200_000)
            .Select(i => i % 2 == 0 ? (float)Math.Pow(10, random.NextDouble() * 74 - 37) : (float)(0.9 + random.NextDouble() * 0.2))
            .ToArray();
        AssertWithinUlp(inputs, SingleVectorApproximations.Log, Math.Log, 2);
    }

    [Fact]
    public void SpecialValues_TheKernelMeets_AreExact()
    {
        float[] x = [float.NegativeInfinity, -100f, 0f, 1f, 100f, -87.4f, 88.0f, 2f];
        var exp = Apply(SingleVectorApproximations.Exp, x);
        Assert.Equal([0f, 0f, 1f], exp[..3]);
        Assert.Equal(0f, exp[5]);
        Assert.True(float.IsFinite(exp[4]) && exp[4] > 1e38f, "exp saturates to a large finite value above 88");

        var log = Apply(SingleVectorApproximations.Log, x);
        Assert.Equal(float.NegativeInfinity, log[2]);
        Assert.Equal(0f, log[3]);
    }

    private static void AssertWithinUlp(float[] inputs, Func<Vector256<float>, Vector256<float>> approximation, Func<double, double> reference, int ulps)
    {
        var outputs = Apply(approximation, inputs);
        for (int i = 0; i < inputs.Length; i++)
        {
            double exact = reference(inputs[i]);
            float magnitude = (float)Math.Abs(exact);
            double ulp = (double)MathF.BitIncrement(magnitude) - magnitude;
            Assert.True(Math.Abs(outputs[i] - exact) <= ulps * ulp, $"x={inputs[i]:R}: {outputs[i]:R} vs {exact:R}");
        }
    }

    private static float[] Apply(Func<Vector256<float>, Vector256<float>> f, float[] x)
    {
        var result = new float[x.Length];
        for (int i = 0; i < x.Length; i += 8)
        {
            var lane = new float[8];
            Array.Copy(x, i, lane, 0, Math.Min(8, x.Length - i));
            var y = f(Vector256.Create(lane));
            for (int k = 0; k < 8 && i + k < x.Length; k++) result[i + k] = y[k];
        }
        return result;
    }
}
