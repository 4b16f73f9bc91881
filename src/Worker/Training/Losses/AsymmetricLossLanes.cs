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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Evaluate<T, TMath>(Vector256<T> z, Vector256<T> y, in Constants<T> c, out Vector256<T> loss, out Vector256<T> grad)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TMath : struct, IVectorMath<T>
    {
        var one = c.One;
        var zero = Vector256<T>.Zero;
        // p = σ(z) and q = 1 − p each from e = e^−|z| ≤ 1, so neither is a difference of nearly equal numbers
        // (float32 rounds σ(z) to 1 above z ≈ 17.3, where 1 − σ(z) would be 0).
        var e = TMath.Exp(-Vector256.Abs(z));
        var d = one + e;
        var s = one / d; // σ(|z|)
        var t = e * s;   // σ(−|z|)
        var nonNegative = Vector256.GreaterThanOrEqual(z, zero);
        var p = Vector256.ConditionalSelect(nonNegative, s, t);
        var q = Vector256.ConditionalSelect(nonNegative, t, s);
        // log1p(e) = log d + log(1 + r/d), where r = e − (d − 1) is what rounding d = 1 + e dropped (computed exactly:
        // d − 1 is exact for d in [1, 2]); r/d is below an ulp of log d unless e is small, and then it is the part
        // log d lost.
        var dRounding = e - (d - one);
        var logPTail = Vector256.MaxNative(-z, zero); // log σ(z) = −(max(−z, 0) + log1p(e))

        var yNeg = one - y;
        var isPositive = Vector256.Equals(y, one);
        // Masks are compared by their sign bits: as floats, all-bits-set is a NaN and never equals itself.
        bool hard = Vector256.ExtractMostSignificantBits(isPositive | Vector256.Equals(y, zero)) == AllLanes<T>();

        // p_m = max(p − m, 0) is the negative's shifted probability (p itself without a clip); logNeg = log(1 − p_m).
        var pm = p;
        var qNeg = q;
        var clipPass = Vector256<T>.AllBitsSet;
        Vector256<T> logPos, logNeg;
        if (!c.HasClip)
        {
            var log1pE = TMath.Log(d) + dRounding * s;
            logPos = -(logPTail + log1pE);
            logNeg = -(Vector256.MaxNative(z, zero) + log1pE);
        }
        else
        {
            // min(1 − p + m, 1) is 1 − max(p − m, 0); the clamp stops the gradient of negatives with p < m.
            var shifted = p - c.Clip;
            clipPass = Vector256.GreaterThanOrEqual(shifted, zero);
            pm = Vector256.MaxNative(shifted, zero);
            qNeg = one - pm;
            // The rounding of 1 − p_m, exact (Fast2Sum, 1 ≥ p_m); non-zero only for q_neg in [½, 1], where 2 − q_neg
            // stands in for 1/q_neg closely enough for a correction of an ulp.
            var qNegRounding = (one - qNeg) - pm;
            var qNegShare = qNegRounding * (c.Two - qNeg);
            if (hard)
            {
                // One log per label: each lane needs only its own side (the other side's value is not used).
                var ownLog = TMath.Log(Vector256.ConditionalSelect(isPositive, d, qNeg));
                logPos = -(logPTail + ownLog + dRounding * s);
                logNeg = ownLog + qNegShare;
            }
            else
            {
                logPos = -(logPTail + TMath.Log(d) + dRounding * s);
                logNeg = TMath.Log(qNeg) + qNegShare;
            }
        }

        // The official log(max(x, eps)) is max(log x, log eps).
        var a = hard
            ? Vector256.MaxNative(Vector256.ConditionalSelect(isPositive, logPos, logNeg), c.LogEps)
            : y * Vector256.MaxNative(logPos, c.LogEps) + yNeg * Vector256.MaxNative(logNeg, c.LogEps);

        var dA = zero;
        var slope = zero;
        if (c.NeedGrad)
        {
            // d log p/dz = 1 − p = q where log p ≥ log eps; d log(1 − p_m)/dz = −p(1 − p)/(1 − p_m) where log(1 − p_m)
            // ≥ log eps and the clip did not saturate (−p without a clip). Masks are ANDed so a dead lane gives +0.
            slope = p * q;
            var posGrad = q & Vector256.GreaterThanOrEqual(logPos, c.LogEps);
            var negGrad = (c.HasClip ? slope / qNeg : p) & Vector256.GreaterThanOrEqual(logNeg, c.LogEps) & clipPass;
            dA = hard ? Vector256.ConditionalSelect(isPositive, posGrad, -negGrad) : y * posGrad - yNeg * negGrad;
        }

        // The vector exp, log, min and max do not carry NaN through; a NaN logit must still give a NaN loss and
        // gradient, so that training stops on it.
        var isNumber = Vector256.Equals(z, z);
        if (!c.HasWeight)
        {
            loss = KeepNaN(-a, isNumber);
            grad = KeepNaN(-dA * c.GradScale, isNumber);
            return;
        }

        // The focusing weight's base 1 − pt, as y·(1 − p) + (1 − y)·p_m: equal, and without cancellation.
        var exponent = c.GammaPos * y + c.GammaNeg * yNeg;
        var focalBase = hard ? Vector256.ConditionalSelect(isPositive, q, pm) : y * q + yNeg * pm;
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
            weight = Vector256.ConditionalSelect(
                Vector256.Equals(exponent, zero), one, TMath.Exp(exponent * TMath.Log(focalBase)));
        }
        loss = KeepNaN(-(weight * a), isNumber);
        if (!c.NeedGrad)
        {
            grad = zero;
            return;
        }

        var g = weight * dA;
        if (!c.Detach)
        {
            // dw/dz = e·b^(e−1)·db/dz with db/dz = −p(1−p) for positives and +p(1−p) for unsaturated negatives;
            // autograd's pow gives 0 for e = 0 and the floor of the base gives 0 below it. b^(e−1) is w/b; at b = 0
            // (only without the guard, where every e is 0 or at least 1) it is 1 for e = 1 and 0 otherwise.
            var powLessOne = Vector256.ConditionalSelect(
                Vector256.Equals(focalBase, zero),
                Vector256.Equals(exponent, one) & one,
                weight / focalBase);
            var weightSlope = Vector256.ConditionalSelect(Vector256.Equals(exponent, zero), zero, exponent * powLessOne) & basePass;
            var baseSlope = yNeg * (slope & clipPass) - y * slope;
            g += a * weightSlope * baseSlope;
        }
        grad = KeepNaN(-g * c.GradScale, isNumber);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> KeepNaN<T>(Vector256<T> value, Vector256<T> isNumber) where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Vector256.ConditionalSelect(isNumber, value, Vector256.Create(T.NaN));

    private static uint AllLanes<T>() => (1u << Vector256<T>.Count) - 1;

    /// <summary>b^k by repeated squaring; b^0 = 1 for every b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Power<T>(Vector256<T> b, int k) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var result = Vector256.Create(T.One);
        while (k > 0)
        {
            if ((k & 1) != 0) result *= b;
            b *= b;
            k >>= 1;
        }
        return result;
    }

    /// <summary>Settings broadcast to vectors once per call.</summary>
    public readonly struct Constants<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public Constants(AsymmetricLossSettings s, double gradScale, bool needGrad)
        {
            One = Vector256.Create(T.One);
            Two = Vector256.Create(T.CreateTruncating(2));
            LogEps = Vector256.Create(T.CreateTruncating(Math.Log(s.Eps)));
            Clip = Vector256.Create(T.CreateTruncating(s.Clip));
            GammaPos = Vector256.Create(T.CreateTruncating(s.GammaPos));
            GammaNeg = Vector256.Create(T.CreateTruncating(s.GammaNeg));
            BaseFloor = s.GuardsFocalWeightBase ? Vector256.Create(T.CreateTruncating(s.Eps)) : Vector256<T>.Zero;
            GradScale = Vector256.Create(T.CreateTruncating(gradScale));
            HasClip = s.Clip > 0;
            HasWeight = s.HasFocalWeight;
            Detach = s.DetachFocalWeight;
            NeedGrad = needGrad;
            IntegerGammas = IsSmallWholeNumber(s.GammaPos) && IsSmallWholeNumber(s.GammaNeg);
            GammaPosInt = IntegerGammas ? (int)s.GammaPos : 0;
            GammaNegInt = IntegerGammas ? (int)s.GammaNeg : 0;
        }

        public Vector256<T> One { get; }
        public Vector256<T> Two { get; }
        /// <summary>log eps, rounded from float64, so the clamp sits where the float64 formula puts it.</summary>
        public Vector256<T> LogEps { get; }
        public Vector256<T> Clip { get; }
        public Vector256<T> GammaPos { get; }
        public Vector256<T> GammaNeg { get; }
        public Vector256<T> BaseFloor { get; }
        public Vector256<T> GradScale { get; }
        public bool HasClip { get; }
        public bool HasWeight { get; }
        public bool Detach { get; }
        public bool NeedGrad { get; }
        public bool IntegerGammas { get; }
        public int GammaPosInt { get; }
        public int GammaNegInt { get; }

        private static bool IsSmallWholeNumber(double gamma) => gamma == Math.Floor(gamma) && gamma <= MaxIntegerGamma;
    }
}
