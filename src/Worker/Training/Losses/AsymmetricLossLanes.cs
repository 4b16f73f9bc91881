using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Asl.Distributed.Training.Losses;

/// <summary>
/// Loss and gradient of one vector of labels: the formulas of <see cref="AsymmetricLossComposite"/> differentiated
/// by hand, masks included (the eps clamps, the clip's clamp, the floor of the focusing weight's base), so both
/// forms agree to rounding. As there, the logs are taken in log space: log σ(±z) = −(max(∓z, 0) + log1p(e^−|z|))
/// and, with a clip, log(1 − p_m) = log1p(−p_m), each log1p as one log plus the rounding of its argument, so that
/// float32 keeps the relative accuracy of float64 for confident labels. Vectors of hard targets (every lane 0 or
/// 1) take a shorter route: one log per label, and integer powers by multiplication when γ+ and γ− are whole
/// numbers.
/// </summary>
internal static class AsymmetricLossLanes
{
    /// <summary>Largest γ computed by repeated multiplication.</summary>
    private const int MaxIntegerGamma = 64;

    // Evaluate and Weigh are split so that each stays under the JIT's limit of 32 locals for a method it inlines;
    // past it, the kernel's loop calls the lane formulas per vector instead of inlining them.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Evaluate<T, TMath, TClip, TGrad>(Vector256<T> z, Vector256<T> y, in Constants<T> c, out Vector256<T> loss, out Vector256<T> grad)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TMath : struct, IVectorMath<T>
        where TClip : struct, IFlag
        where TGrad : struct, IFlag
    {
        var zero = Vector256<T>.Zero;
        // p = σ(z) and q = 1 − p each from e = e^−|z| ≤ 1, so neither is a difference of nearly equal numbers
        // (float32 rounds σ(z) to 1 above z ≈ 17.3, where 1 − σ(z) would be 0): σ(|z|) = 1/d and σ(−|z|) = e/d. Each
        // is its own quotient, so the log that follows waits for one division, not a division and a product.
        var e = TMath.Exp(z | c.SignBit);
        var d = c.One + e;
        var nonNegative = Vector256.GreaterThanOrEqual(z, zero);
        var p = Vector256.ConditionalSelect(nonNegative, c.One, e) / d;
        var q = Vector256.ConditionalSelect(nonNegative, e, c.One) / d;
        // log1p(e) = log d + log(1 + r/d), where r = e − (d − 1) is what rounding d = 1 + e dropped (computed exactly:
        // d − 1 is exact for d in [1, 2]). It matters only for small e, where d is near 1, so r stands in for r/d: the
        // difference, r·e/d, is at most about an ulp of log1p(e).
        var dRounding = e - (d - c.One);

        var isPositive = Vector256.Equals(y, c.One);
        // Masks are compared by their sign bits: as floats, all-bits-set is a NaN and never equals itself.
        bool hard = Vector256.ExtractMostSignificantBits(isPositive | Vector256.Equals(y, zero)) == AllLanes<T>();

        // The log terms are kept as ℓ = −log(…) ≥ 0: ℓ+ = −log p = max(−z, 0) + log1p(e), and ℓ− = −log(1 − p_m),
        // which is max(z, 0) + log1p(e) without a clip (p_m = p) and −log1p(−p_m) with one. With a hard target each
        // lane needs only its own side, so one log serves it.
        var pm = p;
        var qNeg = q;
        var clipPass = Vector256<T>.AllBitsSet;
        var qNegShare = zero;
        var log = d;
        if (TClip.IsSet)
        {
            // min(1 − p + m, 1) is 1 − max(p − m, 0); the clamp stops the gradient of negatives with p < m.
            var shifted = p - c.Clip;
            clipPass = Vector256.GreaterThanOrEqual(shifted, zero);
            pm = Vector256.MaxNative(shifted, zero);
            qNeg = c.One - pm;
            // log(1 − p_m) = log q_neg + log(1 + r'/q_neg) with r' the rounding of 1 − p_m, exact (Fast2Sum, 1 ≥ p_m)
            // and non-zero only for q_neg in [½, 1]. It matters only for small p_m, where q_neg is near 1, so r' stands
            // in for r'/q_neg: the difference, r'·p_m/q_neg, is at most about an ulp of log(1 − p_m).
            qNegShare = (c.One - qNeg) - pm;
            if (hard)
                log = Vector256.ConditionalSelect(isPositive, d, qNeg);
        }
        // One call site of the inlined log for all but soft targets with a clip, which need a second.
        log = TMath.Log(log);
        Vector256<T> own = zero, lossPos = zero, lossNeg = zero;
        if (!TClip.IsSet)
        {
            log += dRounding; // log1p(e)
            if (hard)
            {
                own = Vector256.MaxNative(Vector256.ConditionalSelect(isPositive, -z, z), zero) + log;
            }
            else
            {
                lossPos = Vector256.MaxNative(-z, zero) + log;
                lossNeg = Vector256.MaxNative(z, zero) + log;
            }
        }
        else if (hard)
        {
            // The terms without the log are summed first, so one addition follows it.
            own = Vector256.ConditionalSelect(isPositive, (Vector256.MaxNative(-z, zero) + dRounding) + log, -qNegShare - log);
        }
        else
        {
            lossPos = Vector256.MaxNative(-z, zero) + log + dRounding;
            lossNeg = -(TMath.Log(qNeg) + qNegShare);
        }

        // The official log(max(x, eps)) is max(log x, log eps): ℓ is clamped at −log eps and its gradient passes
        // where ℓ ≤ −log eps. dℓ/dz is −(1 − p) = −q for a positive and p(1 − p)/(1 − p_m) for a negative where the
        // clip did not saturate (p without a clip).
        // With a hard target the eps mask (which needs the log) is applied last, to the scaled gradient, so the
        // products before it run while the log is computed; masking by all-or-nothing commutes with them exactly.
        Vector256<T> l, dl = zero, slope = zero;
        var negSlope = zero;
        var dlPass = Vector256<T>.AllBitsSet;
        if (TGrad.IsSet)
        {
            slope = p * q;
            negSlope = TClip.IsSet ? (slope / qNeg) & clipPass : p;
        }
        if (hard)
        {
            l = Vector256.MinNative(own, c.NegLogEps);
            if (TGrad.IsSet)
            {
                dl = Vector256.ConditionalSelect(isPositive, -q, negSlope);
                dlPass = Vector256.LessThanOrEqual(own, c.NegLogEps);
            }
        }
        else
        {
            l = y * Vector256.MinNative(lossPos, c.NegLogEps) + (c.One - y) * Vector256.MinNative(lossNeg, c.NegLogEps);
            if (TGrad.IsSet)
            {
                dl = (c.One - y) * (negSlope & Vector256.LessThanOrEqual(lossNeg, c.NegLogEps))
                    - y * (q & Vector256.LessThanOrEqual(lossPos, c.NegLogEps));
            }
        }

        // The vector exp, log, min and max do not carry NaN through; a NaN logit must still give a NaN loss and
        // gradient, so that training stops on it.
        var isNumber = Vector256.Equals(z, z);
        if (!c.HasWeight)
        {
            loss = KeepNaN(l, isNumber);
            grad = KeepNaN((dl * c.GradScale) & dlPass, isNumber);
            return;
        }
        Weigh<T, TMath, TGrad>(y, isPositive, hard, q, pm, clipPass, slope, l, dl, dlPass, isNumber, c, out loss, out grad);
    }

    /// <summary>
    /// Multiplies the log term ℓ (and its derivative dℓ, passed where <paramref name="dlPass"/> is set) by the focusing
    /// weight (1 − pt)^(γ+·y + γ−·(1 − y)), adding the weight's own derivative unless it is detached.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Weigh<T, TMath, TGrad>(
        Vector256<T> y, Vector256<T> isPositive, bool hard, Vector256<T> q, Vector256<T> pm, Vector256<T> clipPass,
        Vector256<T> slope, Vector256<T> l, Vector256<T> dl, Vector256<T> dlPass, Vector256<T> isNumber, in Constants<T> c,
        out Vector256<T> loss, out Vector256<T> grad)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TMath : struct, IVectorMath<T>
        where TGrad : struct, IFlag
    {
        var zero = Vector256<T>.Zero;
        // The base 1 − pt, as y·(1 − p) + (1 − y)·p_m: equal, and without cancellation.
        var focalBase = hard ? Vector256.ConditionalSelect(isPositive, q, pm) : y * q + (c.One - y) * pm;
        var basePass = Vector256.GreaterThanOrEqual(focalBase, c.BaseFloor);
        focalBase = Vector256.MaxNative(focalBase, c.BaseFloor);
        Vector256<T> weight;
        if (hard && c.IntegerGammas)
        {
            weight = Vector256.ConditionalSelect(isPositive, Power(focalBase, c.GammaPosInt), Power(focalBase, c.GammaNegInt));
        }
        else
        {
            // pow(b, e) = exp(e·log b), with pow(b, 0) = 1 even for b = 0 (where e·log b would be 0·−∞).
            var exponent = Exponent(y, isPositive, hard, c);
            weight = Vector256.ConditionalSelect(
                Vector256.Equals(exponent, zero), c.One, TMath.Exp(exponent * TMath.Log(focalBase)));
        }
        loss = KeepNaN(weight * l, isNumber);
        if (!TGrad.IsSet)
        {
            grad = zero;
            return;
        }

        var g = weight * dl;
        if (!c.Detach)
        {
            var exponent = Exponent(y, isPositive, hard, c);
            // dw/dz = e·b^(e−1)·db/dz with db/dz = −p(1−p) for positives and +p(1−p) for unsaturated negatives;
            // autograd's pow gives 0 for e = 0 and the floor of the base gives 0 below it. b^(e−1) is w/b; at b = 0
            // (only without the guard, where every e is 0 or at least 1) it is 1 for e = 1 and 0 otherwise.
            var powLessOne = Vector256.ConditionalSelect(
                Vector256.Equals(focalBase, zero),
                Vector256.Equals(exponent, c.One) & c.One,
                weight / focalBase);
            var weightSlope = Vector256.ConditionalSelect(Vector256.Equals(exponent, zero), zero, exponent * powLessOne) & basePass;
            var baseSlope = hard
                ? Vector256.ConditionalSelect(isPositive, -slope, slope & clipPass)
                : (c.One - y) * (slope & clipPass) - y * slope;
            grad = KeepNaN(((g & dlPass) + l * weightSlope * baseSlope) * c.GradScale, isNumber);
            return;
        }
        grad = KeepNaN((g * c.GradScale) & dlPass, isNumber);
    }

    /// <summary>The focusing exponent γ+·y + γ−·(1 − y).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Exponent<T>(Vector256<T> y, Vector256<T> isPositive, bool hard, in Constants<T> c)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        hard ? Vector256.ConditionalSelect(isPositive, c.GammaPos, c.GammaNeg) : c.GammaPos * y + c.GammaNeg * (c.One - y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> KeepNaN<T>(Vector256<T> value, Vector256<T> isNumber) where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Vector256.ConditionalSelect(isNumber, value, Vector256.Create(T.NaN));

    private static uint AllLanes<T>() => (1u << Vector256<T>.Count) - 1;

    /// <summary>b^k by repeated squaring, starting from the lowest set bit of k so no multiplication by 1 is spent; b^0 = 1 for every b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Power<T>(Vector256<T> b, int k) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (k == 0)
            return Vector256.Create(T.One);
        for (; (k & 1) == 0; k >>= 1)
            b *= b;
        var result = b;
        for (k >>= 1; k > 0; k >>= 1)
        {
            b *= b;
            if ((k & 1) != 0) result *= b;
        }
        return result;
    }

    /// <summary>A yes or no fixed per compiled route (a type argument), so that its test leaves the loop.</summary>
    public interface IFlag
    {
        static abstract bool IsSet { get; }
    }

    /// <summary>The flag is set: with a clip, or with a gradient.</summary>
    public readonly struct Set : IFlag
    {
        public static bool IsSet => true;
    }

    /// <summary>The flag is not set.</summary>
    public readonly struct Unset : IFlag
    {
        public static bool IsSet => false;
    }

    /// <summary>Settings broadcast to vectors once per call.</summary>
    public readonly struct Constants<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public Constants(AsymmetricLossSettings s, double gradScale)
        {
            One = Vector256.Create(T.One);
            SignBit = Vector256.Create(T.NegativeZero);
            NegLogEps = Vector256.Create(T.CreateTruncating(-Math.Log(s.Eps)));
            Clip = Vector256.Create(T.CreateTruncating(s.Clip));
            GammaPos = Vector256.Create(T.CreateTruncating(s.GammaPos));
            GammaNeg = Vector256.Create(T.CreateTruncating(s.GammaNeg));
            BaseFloor = s.GuardsFocalWeightBase ? Vector256.Create(T.CreateTruncating(s.Eps)) : Vector256<T>.Zero;
            GradScale = Vector256.Create(T.CreateTruncating(gradScale));
            HasWeight = s.HasFocalWeight;
            Detach = s.DetachFocalWeight;
            IntegerGammas = IsSmallWholeNumber(s.GammaPos) && IsSmallWholeNumber(s.GammaNeg);
            GammaPosInt = IntegerGammas ? (int)s.GammaPos : 0;
            GammaNegInt = IntegerGammas ? (int)s.GammaNeg : 0;
        }

        public Vector256<T> One { get; }
        /// <summary>−0: OR-ed into x it gives −|x|.</summary>
        public Vector256<T> SignBit { get; }
        /// <summary>−log eps, rounded from float64, so the clamp sits where the float64 formula puts it.</summary>
        public Vector256<T> NegLogEps { get; }
        public Vector256<T> Clip { get; }
        public Vector256<T> GammaPos { get; }
        public Vector256<T> GammaNeg { get; }
        public Vector256<T> BaseFloor { get; }
        public Vector256<T> GradScale { get; }
        public bool HasWeight { get; }
        public bool Detach { get; }
        public bool IntegerGammas { get; }
        public int GammaPosInt { get; }
        public int GammaNegInt { get; }

        private static bool IsSmallWholeNumber(double gamma) => gamma == Math.Floor(gamma) && gamma <= MaxIntegerGamma;
    }
}
