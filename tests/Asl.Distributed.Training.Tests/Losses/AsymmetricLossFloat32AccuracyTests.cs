using Asl.Distributed.Losses;
using Asl.Distributed.Training.Losses;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Tests.Losses;

/// <summary>
/// Both forms in float32 against <see cref="AslReference"/> (float64, computed without cancellation) for logits
/// across [−100, 100]: confident labels are where float32 used to lose the loss and its gradient (σ rounds to 1
/// above a logit of about 17.3 and the eps clamp took over).
/// </summary>
/// <remarks>
/// The comparison is relative: |float32 − float64| ≤ 1e-5·scale + 1e-35. The scale of a loss is its magnitude
/// (its parts, −w·y·log p and −w·(1 − y)·log(1 − p_m), have one sign). The scale of a gradient is the sum of its
/// parts' magnitudes (<see cref="AslReference.GradientParts"/>): for a hard target that is its magnitude, while a
/// soft target's gradient is a difference of the positive and the negative side that crosses zero where p is
/// near y, and a float32 difference is only good to a fraction of its parts (BCE's σ(z) − y at z = −0.84,
/// y = 0.3 is 7.5e-4, with σ(z) itself rounded by 1.5e-8). The absolute floor 1e-35 only covers float32
/// underflow: its smallest normal number is 1.2e-38 (below that no relative precision is left), and the fused
/// kernel's exp flushes to 0 under e^−87.3; the floor sits three orders of magnitude above both. Scales above
/// 1e-35 are held to 1e-5 relative, however small.
/// Two kinds of label are ill-conditioned in the logit itself, and there the float32 result is held (with the same
/// tolerance) to the range of the float64 reference over the logit's float32 neighbours within two ulps, i.e. to
/// what a float32 logit can mean:
/// <list type="bullet">
/// <item>within two ulps of an eps kink (±18.42, where p or 1 − p equals eps): the clamp switches the gradient
/// off, and where exactly it does in float32 is a matter of the rounding of σ and of log eps;</item>
/// <item>with clip m > 0, labels with a negative part and p ≤ 2m: near the margin the negative's loss is
/// (p − m)^γ−·(−log(1 − (p − m))), and p − m carries the float32 rounding of p (an ulp of 0.05 is 3.7e-9; the
/// clip itself rounds to float32 by 7.5e-10), which is all of p − m at the margin; a soft target's gradient also
/// jumps there (the clip's clamp).</item>
/// </list>
/// </remarks>
public sealed class AsymmetricLossFloat32AccuracyTests
{
    private const double RelativeTolerance = 1e-5;
    private const double AbsoluteFloor = 1e-35;
    private const int NeighbourUlps = 2;

    private static readonly AsymmetricLossImplementation[] Implementations =
        [AsymmetricLossImplementation.Composite, AsymmetricLossImplementation.Fused];

    /// <summary>Hard targets and soft ones (label smoothing's 0.05 and 0.95, mixup-like values between).</summary>
    private static readonly double[] Targets = [0, 1, 0.05, 0.3, 0.5, 0.95];

    /// <summary>Every preset, weight detached and not, and clip-0 settings with γ−, γ+ ∈ {0, 1, 2, 4}.</summary>
    public static TheoryData<string, double, double, double, bool> Settings()
    {
        var data = new TheoryData<string, double, double, double, bool>();
        foreach (string preset in AsymmetricLossOptions.PresetNames)
        {
            var o = AsymmetricLossOptions.FromPreset(preset);
            foreach (bool detach in new[] { true, false })
                data.Add(preset, o.GammaNeg, o.GammaPos, o.Clip, detach);
        }
        foreach (double gammaNeg in new[] { 0.0, 1, 2, 4 })
            foreach (double gammaPos in new[] { 0.0, 1, 2, 4 })
                foreach (bool detach in new[] { true, false })
                    data.Add("clip 0", gammaNeg, gammaPos, 0, detach);
        return data;
    }

    [Theory]
    [InlineData(AsymmetricLossImplementation.Composite)]
    [InlineData(AsymmetricLossImplementation.Fused)]
    public void Float32_NegativeAtLogit17WithoutFocusingOrClip_MatchesFloat64(AsymmetricLossImplementation implementation)
    {
        // The example: float32 used to give loss 18.420681 (log eps) and gradient 0.
        var s = new AsymmetricLossSettings(0, 0, 0, 1e-8, true, LossReduction.None);
        var (loss, grad) = LossRunner.Run(implementation, [17.0], [0.0], s, ScalarType.Float32);
        // Float64: −log(1 − σ(17)) = 17 + log1p(e^−17) = 17.0000000414; its gradient σ(17) = 0.9999999586.
        AssertRelative(17.000000038, loss[0], "loss");
        AssertRelative(0.99999996, grad[0], "gradient");
        AssertRelative(17 + Math.Log(1 + Math.Exp(-17)), loss[0], "loss");
        AssertRelative(1 / (1 + Math.Exp(-17)), grad[0], "gradient");
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void Float32_LogitsAcrossMinus100To100HardAndSoftTargets_MatchFloat64Reference(
        string name, double gammaNeg, double gammaPos, double clip, bool detach)
    {
        var s = new AsymmetricLossSettings(gammaNeg, gammaPos, clip, 1e-8, detach, LossReduction.None);
        double[] logits = Logits(clip);
        // Targets as float32 sees them (0.3 is not a float32 number), so the reference uses the same ones.
        var z = logits.SelectMany(_ => Targets, (zi, _) => zi).ToArray();
        var y = logits.SelectMany(_ => Targets, (_, yi) => (double)(float)yi).ToArray();
        foreach (var implementation in Implementations)
        {
            var (loss, grad) = LossRunner.Run(implementation, z, y, s, ScalarType.Float32);
            var failures = new List<(double Excess, string What)>();
            for (int i = 0; i < z.Length; i++)
            {
                var (lossRange, gradRange) = ReferenceRange(z[i], y[i], s);
                double lossExcess = Excess(loss[i], lossRange);
                if (lossExcess > 1)
                    failures.Add((lossExcess, $"z={z[i]:R} y={y[i]:R}: loss {loss[i]:R}, float64 {Describe(lossRange)}"));
                double gradExcess = Excess(grad[i], gradRange);
                if (gradExcess > 1)
                    failures.Add((gradExcess, $"z={z[i]:R} y={y[i]:R}: gradient {grad[i]:R}, float64 {Describe(gradRange)}"));
            }
            Assert.True(failures.Count == 0,
                $"{implementation} {name} {s}: {failures.Count} of {2 * z.Length} values off, the worst:\n" +
                string.Join("\n", failures.OrderByDescending(f => f.Excess).Take(12).Select(f => f.What)));
        }
    }

    /// <summary>
    /// Float32 logits (exact, so the reference sees the same numbers): [−100, 100] in steps of 1/32, finer where
    /// float32 used to fail (|z| in 9.5..19 in steps of 1/256, covering 10..17.3 and the eps kinks at ±18.42), the
    /// float32 neighbours of the kinks, and with a clip the band just above the margin, where the loss starts.
    /// </summary>
    private static double[] Logits(double clip)
    {
        var logits = new SortedSet<double>();
        for (int k = -3200; k <= 3200; k++)
            logits.Add(k / 32.0);
        for (int k = 9 * 256 + 128; k <= 19 * 256; k++)
        {
            logits.Add(k / 256.0);
            logits.Add(-k / 256.0);
        }
        double kink = Math.Log((1 - 1e-8) / 1e-8);
        foreach (double side in new[] { kink, -kink })
        {
            float nearest = (float)side;
            for (int step = -4; step <= 4; step++)
                logits.Add(Neighbour(nearest, step));
        }
        if (clip > 0)
        {
            double margin = Math.Log(clip / (1 - clip));
            for (int k = -64; k <= 1024; k++)
                logits.Add((float)(margin + k / 4096.0));
        }
        return [.. logits];
    }

    /// <summary>
    /// The float64 loss and gradient at <paramref name="z"/> with the scale each is held to, or their range over the
    /// logit's float32 neighbours where ill-conditioned.
    /// </summary>
    private static (Reference Loss, Reference Grad) ReferenceRange(double z, double y, AsymmetricLossSettings s)
    {
        double loss = AslReference.Loss(z, y, s);
        var (grad, gradScale) = AslReference.GradientParts(z, y, s);
        // The loss is −w·(y·log p + (1 − y)·log(1 − p_m)), parts of one sign: its scale is its magnitude.
        var lossRange = new Reference(loss, loss, Math.Abs(loss));
        var gradRange = new Reference(grad, grad, gradScale);
        if (!IllConditioned(z, y, s))
            return (lossRange, gradRange);
        for (int step = -NeighbourUlps; step <= NeighbourUlps; step++)
        {
            double zn = Neighbour((float)z, step);
            double l = AslReference.Loss(zn, y, s);
            var (g, scale) = AslReference.GradientParts(zn, y, s);
            lossRange = new Reference(Math.Min(lossRange.Lo, l), Math.Max(lossRange.Hi, l), Math.Max(lossRange.Scale, Math.Abs(l)));
            gradRange = new Reference(Math.Min(gradRange.Lo, g), Math.Max(gradRange.Hi, g), Math.Max(gradRange.Scale, scale));
        }
        return (lossRange, gradRange);
    }

    private static bool IllConditioned(double z, double y, AsymmetricLossSettings s)
    {
        double kink = Math.Log((1 - s.Eps) / s.Eps);
        double ulp = Math.Abs(Neighbour((float)z, 1) - z);
        bool nearKink = Math.Abs(Math.Abs(z) - kink) <= NeighbourUlps * ulp;
        bool nearMargin = s.Clip > 0 && y < 1 && AslReference.Sigmoid(z) <= 2 * s.Clip;
        return nearKink || nearMargin;
    }

    /// <summary>How far <paramref name="value"/> lies outside the reference's range, in tolerances (at most 1 passes).</summary>
    private static double Excess(double value, Reference reference)
    {
        double tolerance = RelativeTolerance * reference.Scale + AbsoluteFloor;
        double outside = Math.Max(Math.Max(reference.Lo - value, value - reference.Hi), 0);
        return double.IsNaN(value) ? double.PositiveInfinity : outside / tolerance;
    }

    private static string Describe(Reference r) =>
        r.Lo == r.Hi ? $"{r.Lo:R} (scale {r.Scale:G3})" : $"{r.Lo:R}..{r.Hi:R} over the neighbours (scale {r.Scale:G3})";

    /// <summary>The float64 values a float32 result may take (a single value unless ill-conditioned) and the scale of the tolerance.</summary>
    private readonly record struct Reference(double Lo, double Hi, double Scale);

    /// <summary>The float32 number <paramref name="steps"/> ulps above (below, if negative) <paramref name="z"/>.</summary>
    private static double Neighbour(float z, int steps)
    {
        for (; steps > 0; steps--) z = MathF.BitIncrement(z);
        for (; steps < 0; steps++) z = MathF.BitDecrement(z);
        return z;
    }

    private static void AssertRelative(double expected, double actual, string what) =>
        Assert.True(Math.Abs(actual - expected) <= RelativeTolerance * Math.Abs(expected),
            $"{what} {actual:R}, expected {expected:R} within {RelativeTolerance:E0} relative");
}
