using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Training.Precision;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Tests.Precision;

/// <summary>
/// The scaler on its own: the update rule against an independent float64 re-statement of PyTorch's
/// <c>_amp_update_scale_</c>, unscaling against float64 division, the non-finite check and the state.
/// </summary>
public sealed class DynamicLossScalerTests
{
    [Fact]
    public void Constructor_Defaults_AreGradScalersAndTheConfigs()
    {
        var scaler = new DynamicLossScaler();
        Assert.Equal(65536f, scaler.Scale);
        Assert.Equal(2000, scaler.GrowthInterval);
        Assert.Equal(0, scaler.GrowthTracker);
        var run = new RunConfig();
        Assert.Equal(run.LossScaleInit, scaler.Scale);
        Assert.Equal(run.LossScaleGrowthInterval, scaler.GrowthInterval);
    }

    [Fact]
    public void Update_DefaultsAfterExactlyGrowthIntervalFiniteSteps_DoublesTheScale()
    {
        var scaler = new DynamicLossScaler();
        for (int step = 1; step < 2000; step++)
            scaler.Update(foundNonFinite: false);
        Assert.Equal((65536f, 1999), (scaler.Scale, scaler.GrowthTracker));
        scaler.Update(foundNonFinite: false);
        Assert.Equal((131072f, 0), (scaler.Scale, scaler.GrowthTracker));
    }

    [Fact]
    public void Update_NonFiniteStep_HalvesTheScaleAndRestartsTheTracker()
    {
        var scaler = new DynamicLossScaler();
        for (int step = 0; step < 1500; step++)
            scaler.Update(foundNonFinite: false);
        scaler.Update(foundNonFinite: true);
        Assert.Equal((32768f, 0), (scaler.Scale, scaler.GrowthTracker));
        // The 1,500 finite steps before the back-off no longer count: growth needs 2,000 new ones.
        for (int step = 1; step < 2000; step++)
            scaler.Update(foundNonFinite: false);
        Assert.Equal(32768f, scaler.Scale);
        scaler.Update(foundNonFinite: false);
        Assert.Equal(65536f, scaler.Scale);
    }

    [Theory]
    [InlineData(65536, 2000, 2.0, 0.5, 0.0005)]
    [InlineData(65536, 3, 2.0, 0.5, 0.3)]
    [InlineData(3, 5, 3.0, 0.25, 0.2)] // factors that leave powers of two: the float32 rounding of the scale shows
    [InlineData(1e6, 7, 1.5, 0.7, 0.1)]
    public void Update_ScriptedSequence_MatchesFloat64Reference(double init, int interval, double growth, double backoff, double nonFiniteRate)
    {
        var scaler = new DynamicLossScaler(init, interval, growth, backoff);
        // Reference: PyTorch's rule with the scale held as a float32 value but every product formed in float64.
        double scale = (float)init;
        int tracker = 0;
        var random = new Random(17);
        int grown = 0, backedOff = 0;
        for (int step = 0; step < 20_000; step++)
        {
            bool nonFinite = random.NextDouble() < nonFiniteRate;
            scaler.Update(nonFinite);
            if (nonFinite)
            {
                scale = (float)(scale * backoff);
                tracker = 0;
                backedOff++;
            }
            else if (++tracker == interval)
            {
                double next = (float)(scale * growth);
                if (double.IsFinite(next))
                    scale = next;
                tracker = 0;
                grown++;
            }
            Assert.Equal(scale, (double)scaler.Scale);
            Assert.Equal(tracker, scaler.GrowthTracker);
        }
        Assert.True(grown > 0 && backedOff > 0, $"the script exercised both rules ({grown} growths, {backedOff} back-offs)");
    }

    [Fact]
    public void Update_GrowthBeyondFloat32_KeepsTheScaleAndRestartsTheTracker()
    {
        var scaler = new DynamicLossScaler(Math.Pow(2, 127), growthInterval: 1);
        scaler.Update(foundNonFinite: false);
        Assert.Equal(((float)Math.Pow(2, 127), 0), (scaler.Scale, scaler.GrowthTracker));
    }

    [Theory]
    [InlineData(65536)] // a power of two: unscaling is exact
    [InlineData(3)] // 1/3 rounds in float32: the result is within float32 rounding of the float64 quotient
    [InlineData(1000.5)]
    public void UnscaleGradients_FiniteGradients_EqualGradientOverScaleWithinFloat32Rounding(double init)
    {
        var scaler = new DynamicLossScaler(init);
        var random = new Random(5);
        var values = new[] { 37, 1, 300 }.Select(n => Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() - 0.5) * Math.Pow(2, random.Next(-20, 20)))).ToArray()).ToArray();
        using var scope = NewDisposeScope();
        var gradients = values.Select(v => torch.tensor(v)).ToArray();

        Assert.True(scaler.UnscaleGradients(gradients));

        for (int t = 0; t < values.Length; t++)
        {
            var unscaled = gradients[t].data<float>().ToArray();
            for (int i = 0; i < unscaled.Length; i++)
            {
                double reference = values[t][i] / init;
                // Two float32 roundings (of 1/scale and of the product), each at most half an ulp: 2^-23 relative.
                Assert.True(Math.Abs(unscaled[i] - reference) <= Math.Abs(reference) * Math.Pow(2, -23),
                    $"gradient {t}[{i}]: {unscaled[i]:R} vs {reference:R}");
                if (init == 65536)
                    Assert.Equal(reference, (double)unscaled[i]);
            }
        }
        Assert.Equal(1, scaler.HostReads);
    }

    [Theory]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    [InlineData(float.NaN)]
    public void UnscaleGradients_OneNonFiniteValueInOneGradient_ReportsItWithOneHostReadPerCall(float poison)
    {
        var scaler = new DynamicLossScaler();
        using var scope = NewDisposeScope();
        var gradients = new[] { torch.ones(10), torch.ones(4, 4), torch.ones(3) };

        Assert.True(scaler.UnscaleGradients(gradients));
        gradients[1][2, 3] = torch.tensor(poison);
        Assert.False(scaler.UnscaleGradients(gradients));
        Assert.True(scaler.UnscaleGradients([gradients[0], gradients[2]]));

        Assert.Equal(3, scaler.HostReads);
    }

    [Fact]
    public void Restore_SavedState_ContinuesExactlyAsTheOriginal()
    {
        var original = new DynamicLossScaler(1024, growthInterval: 5);
        foreach (bool nonFinite in new[] { false, true, false, false, false, false, false, false })
            original.Update(nonFinite);
        var resumed = new DynamicLossScaler(1024, growthInterval: 5);
        resumed.Restore(original.State);
        Assert.Equal(new LossScalerState(1024, 1), resumed.State); // halved to 512, grown back after 5 finite steps, then 1 more
        for (int step = 0; step < 12; step++)
        {
            original.Update(step % 9 == 8);
            resumed.Update(step % 9 == 8);
            Assert.Equal(original.State, resumed.State);
        }
    }

    [Theory]
    [InlineData(0f, 0)]
    [InlineData(float.PositiveInfinity, 0)]
    [InlineData(float.NaN, 0)]
    [InlineData(1024f, -1)]
    [InlineData(1024f, 2000)]
    public void Restore_StateOutOfRange_ThrowsNamingTheValues(float scale, int tracker)
    {
        var scaler = new DynamicLossScaler();
        var error = Assert.Throws<ArgumentException>(() => scaler.Restore(new LossScalerState(scale, tracker)));
        Assert.Contains($"growth tracker {tracker}", error.Message);
    }
}
