using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Asl.Distributed.Training.Losses;

/// <summary>
/// Loss and gradient of one vector of labels: the formulas of <see cref="AsymmetricLossComposite"/> differentiated
/// by hand, masks included (the eps clamps, the clip's clamp at 1, the floor of the focusing weight's base), so
/// both forms agree to rounding. Vectors of hard targets (every lane 0 or 1) take a shorter route: one log for the
/// log term, and integer powers by multiplication when γ+ and γ− are whole numbers.
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
        var p = one / (one + TMath.Exp(-z));
        var qRaw = one - p;
        var qNeg = qRaw;
        var clipPass = Vector256<T>.AllBitsSet;
        if (c.HasClip)
        {
            // min(1 − p + m, 1) is 1 − max(p − m, 0); the clamp at 1 stops the gradient of negatives with p < m.
            var shifted = qRaw + c.Clip;
            clipPass = Vector256.LessThanOrEqual(shifted, one);
            qNeg = Vector256.MinNative(shifted, one);
        }
        var yNeg = one - y;
        var isPositive = Vector256.Equals(y, one);
        // Masks are compared by their sign bits: as floats, all-bits-set is a NaN and never equals itself.
        bool hard = Vector256.ExtractMostSignificantBits(isPositive | Vector256.Equals(y, Vector256<T>.Zero)) == AllLanes<T>();

        // pt is the probability of the label's own side; with a hard target the log term is log(max(pt, eps)).
        Vector256<T> pt, a;
        if (hard)
        {
            pt = Vector256.ConditionalSelect(isPositive, p, qNeg);
            a = TMath.Log(Vector256.MaxNative(pt, c.Eps));
        }
        else
        {
            pt = y * p + yNeg * qNeg;
            a = y * TMath.Log(Vector256.MaxNative(p, c.Eps)) + yNeg * TMath.Log(Vector256.MaxNative(qNeg, c.Eps));
        }

        var dA = Vector256<T>.Zero;
        var slope = Vector256<T>.Zero;
        if (c.NeedGrad)
        {
            // d log(max(p, eps))/dz = (1 − p) where p ≥ eps; d log(max(q, eps))/dz = −p(1 − p)/q where q ≥ eps and
            // the clip did not saturate. Masks are ANDed so a 0/0 in a dead lane becomes +0.
            slope = p * qRaw;
            var posPass = Vector256.GreaterThanOrEqual(p, c.Eps);
            var negPass = Vector256.GreaterThanOrEqual(qNeg, c.Eps) & clipPass;
            dA = y * (qRaw & posPass) - yNeg * ((slope / qNeg) & negPass);
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

        var exponent = c.GammaPos * y + c.GammaNeg * yNeg;
        var focalBase = one - pt;
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
                Vector256.Equals(exponent, Vector256<T>.Zero), one, TMath.Exp(exponent * TMath.Log(focalBase)));
        }
        loss = KeepNaN(-(weight * a), isNumber);
        if (!c.NeedGrad)
        {
            grad = Vector256<T>.Zero;
            return;
        }

        var g = weight * dA;
        if (!c.Detach)
        {
            // dw/dz = e·b^(e−1)·db/dz with db/dz = −p(1−p) for positives and +p(1−p) for unsaturated negatives;
            // autograd's pow gives 0 for e = 0 and the floor of the base gives 0 below it. b^(e−1) is w/b; at b = 0
            // (only without the guard, where every e is 0 or at least 1) it is 1 for e = 1 and 0 otherwise.
            var powLessOne = Vector256.ConditionalSelect(
                Vector256.Equals(focalBase, Vector256<T>.Zero),
                Vector256.Equals(exponent, one) & one,
                weight / focalBase);
            var weightSlope = Vector256.ConditionalSelect(Vector256.Equals(exponent, Vector256<T>.Zero), Vector256<T>.Zero, exponent * powLessOne) & basePass;
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
            Eps = Vector256.Create(T.CreateTruncating(s.Eps));
            Clip = Vector256.Create(T.CreateTruncating(s.Clip));
            GammaPos = Vector256.Create(T.CreateTruncating(s.GammaPos));
            GammaNeg = Vector256.Create(T.CreateTruncating(s.GammaNeg));
            BaseFloor = s.GuardsFocalWeightBase ? Eps : Vector256<T>.Zero;
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
        public Vector256<T> Eps { get; }
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
