using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Asl.Distributed.Training.Losses;

/// <summary>
/// exp and log for eight float32 lanes: range reduction to a power of two times a small remainder, and a
/// minimax polynomial on the remainder (the classic Cephes single-precision coefficients). Accurate to about
/// 2 ulp. Only the special values the loss kernel meets are handled, each select costing a share of its speed:
/// exp saturates above 88 (a large finite value, not +∞) and gives 0 below −87.3, −∞ included; log takes
/// positive normal numbers and 0 (giving −∞). NaN is not propagated; the kernel restores it from the logit.
/// </summary>
internal static class SingleVectorApproximations
{
    private const float Ln2High = 0.693359375f;
    private const float Ln2Low = -2.12194440e-4f;

    /// <summary>e^x per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        // e^x = 2^n · e^r with n = round(x / ln 2) and |r| ≤ ln 2 / 2; ln 2 in two parts keeps r exact.
        var clamped = Vector256.MinNative(Vector256.MaxNative(x, Vector256.Create(-87.3f)), Vector256.Create(88.0f));
        var n = Vector256.Round(clamped * Vector256.Create(1.44269504088896341f));
        var r = Vector256.MultiplyAddEstimate(n, Vector256.Create(-Ln2High), clamped);
        r = Vector256.MultiplyAddEstimate(n, Vector256.Create(-Ln2Low), r);

        var p = Vector256.Create(1.9875691500e-4f);
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1.3981999507e-3f));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(8.3334519073e-3f));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(4.1665795894e-2f));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1.6666665459e-1f));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(5.0000001201e-1f));
        p = Vector256.MultiplyAddEstimate(p, r * r, r) + Vector256<float>.One;

        // Multiply by 2^n by adding n to the exponent field; n stays in [−126, 127] after the clamp.
        var scaled = (p.AsInt32() + (Vector256.ConvertToInt32Native(n) << 23)).AsSingle();
        return Vector256.AndNot(scaled, Vector256.LessThan(x, Vector256.Create(-87.33654475f)));
    }

    /// <summary>The natural logarithm per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Log(Vector256<float> x)
    {
        // x = m · 2^e with m in [√½, √2); log x = e·ln 2 + log(1 + f), f = m − 1, by a polynomial in f.
        var bits = x.AsInt32();
        var exponent = Vector256.ConvertToSingle((bits >>> 23) - Vector256.Create(126));
        var mantissa = ((bits & Vector256.Create(0x007fffff)) | Vector256.Create(0x3f000000)).AsSingle(); // in [0.5, 1)
        var small = Vector256.LessThan(mantissa, Vector256.Create(0.707106781186547524f));
        exponent -= Vector256<float>.One & small;
        var f = mantissa + (mantissa & small) - Vector256<float>.One;

        var z = f * f;
        var y = Vector256.Create(7.0376836292e-2f);
        y = Vector256.MultiplyAddEstimate(y, f, Vector256.Create(-1.1514610310e-1f));
        y = Vector256.MultiplyAddEstimate(y, f, Vector256.Create(1.1676998740e-1f));
        y = Vector256.MultiplyAddEstimate(y, f, Vector256.Create(-1.2420140846e-1f));
        y = Vector256.MultiplyAddEstimate(y, f, Vector256.Create(1.4249322787e-1f));
        y = Vector256.MultiplyAddEstimate(y, f, Vector256.Create(-1.6668057665e-1f));
        y = Vector256.MultiplyAddEstimate(y, f, Vector256.Create(2.0000714765e-1f));
        y = Vector256.MultiplyAddEstimate(y, f, Vector256.Create(-2.4999993993e-1f));
        y = Vector256.MultiplyAddEstimate(y, f, Vector256.Create(3.3333331174e-1f));
        y = y * f * z;
        y = Vector256.MultiplyAddEstimate(exponent, Vector256.Create(Ln2Low), y);
        y = Vector256.MultiplyAddEstimate(z, Vector256.Create(-0.5f), y);
        var result = Vector256.MultiplyAddEstimate(exponent, Vector256.Create(Ln2High), f + y);

        // Subnormal inputs are not reduced above (the result is finite but off by up to ln 2); the kernel passes one
        // only as a focusing weight's base below 1.2e-38, where every product with the weight underflows anyway.
        return Vector256.ConditionalSelect(Vector256.Equals(x, Vector256<float>.Zero), Vector256.Create(float.NegativeInfinity), result);
    }
}
