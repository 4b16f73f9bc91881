using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Asl.Distributed.Training.Losses;

/// <summary>
/// exp and log for eight float32 lanes: range reduction to a power of two times a small remainder, and a
/// minimax polynomial on the remainder (the classic Cephes single-precision coefficients). Accurate to about
/// 2 ulp. Only the special values the loss kernel meets are handled, each select costing a share of its speed:
/// exp saturates above 88 (a large finite value, not +∞) and gives 0 below −87.34 (where e^x leaves the normal
/// numbers), −∞ included; log takes positive normal numbers and 0 (giving −∞). NaN is not propagated; the kernel
/// restores it from the logit.
/// </summary>
/// <remarks>
/// The kernel that calls these is bound by the latency of its longest chain of dependent operations (exp, a
/// division, log), not by how many operations it issues, so the polynomials are evaluated in Estrin's scheme
/// (independent pairs combined by powers of the argument: 3 to 4 dependent multiply-adds instead of Horner's 6
/// and 9) and the terms that do not need the polynomial are summed beside it.
/// </remarks>
internal static class SingleVectorApproximations
{
    private const float Ln2High = 0.693359375f;
    private const float Ln2Low = -2.12194440e-4f;

    /// <summary>e^x per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        // e^x = 2^n · e^r with n = round(x / ln 2) and |r| ≤ ln 2 / 2; ln 2 in two parts keeps r exact. Only the top
        // is clamped (so n ≤ 127): below −126·ln 2, where n would leave the exponent field, the result is masked to 0.
        var clamped = Vector256.MinNative(x, Vector256.Create(88.0f));
        var n = Vector256.Round(clamped * Vector256.Create(1.44269504088896341f));
        var r = Vector256.MultiplyAddEstimate(n, Vector256.Create(-Ln2High), clamped);
        r = Vector256.MultiplyAddEstimate(n, Vector256.Create(-Ln2Low), r);

        // e^r = 1 + r + r²·P(r), P of degree 5 as (c0 + c1·r) + r²·((c2 + c3·r) + r²·(c4 + c5·r)).
        var r2 = r * r;
        var p01 = Vector256.MultiplyAddEstimate(r, Vector256.Create(1.6666665459e-1f), Vector256.Create(5.0000001201e-1f));
        var p23 = Vector256.MultiplyAddEstimate(r, Vector256.Create(8.3334519073e-3f), Vector256.Create(4.1665795894e-2f));
        var p45 = Vector256.MultiplyAddEstimate(r, Vector256.Create(1.9875691500e-4f), Vector256.Create(1.3981999507e-3f));
        var p = Vector256.MultiplyAddEstimate(r2, Vector256.MultiplyAddEstimate(r2, p45, p23), p01);
        p = Vector256.MultiplyAddEstimate(p, r2, r) + Vector256<float>.One;

        // Multiply by 2^n by adding n to the exponent field, right wherever e^x is a normal number; the lanes below
        // (x < −126·ln 2, −∞ included, whose n and r are no numbers) are masked to 0.
        var scaled = (p.AsInt32() + (Vector256.ConvertToInt32Native(n) << 23)).AsSingle();
        return Vector256.AndNot(scaled, Vector256.LessThan(x, Vector256.Create(-87.33654475f)));
    }

    /// <summary>The natural logarithm per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Log(Vector256<float> x)
    {
        // x = m · 2^e with m in [√½, √2); log x = e·ln 2 + log(1 + f), f = m − 1, by a polynomial in f. Subtracting
        // the bits of √½ first puts the exponent's boundary at √½, so e and m come from integer operations alone.
        var sqrtHalfBits = Vector256.Create(0x3f3504f3);
        var shifted = x.AsInt32() - sqrtHalfBits;
        var exponent = Vector256.ConvertToSingle(shifted >> 23);
        var f = ((shifted & Vector256.Create(0x007fffff)) + sqrtHalfBits).AsSingle() - Vector256<float>.One;

        // log(1 + f) = f − f²/2 + f³·P(f), P of degree 8 in Estrin's scheme (pairs, then pairs of pairs).
        var z = f * f;
        var z2 = z * z;
        var p01 = Vector256.MultiplyAddEstimate(f, Vector256.Create(-2.4999993993e-1f), Vector256.Create(3.3333331174e-1f));
        var p23 = Vector256.MultiplyAddEstimate(f, Vector256.Create(-1.6668057665e-1f), Vector256.Create(2.0000714765e-1f));
        var p45 = Vector256.MultiplyAddEstimate(f, Vector256.Create(-1.2420140846e-1f), Vector256.Create(1.4249322787e-1f));
        var p67 = Vector256.MultiplyAddEstimate(f, Vector256.Create(-1.1514610310e-1f), Vector256.Create(1.1676998740e-1f));
        var p48 = Vector256.MultiplyAddEstimate(z2, Vector256.Create(7.0376836292e-2f), Vector256.MultiplyAddEstimate(z, p67, p45));
        var polynomial = Vector256.MultiplyAddEstimate(z2, p48, Vector256.MultiplyAddEstimate(z, p23, p01));
        // The small terms (e·ln 2's low part, −f²/2) are summed while the polynomial is evaluated.
        var small = Vector256.MultiplyAddEstimate(exponent, Vector256.Create(Ln2Low), z * Vector256.Create(-0.5f));
        var y = Vector256.MultiplyAddEstimate(polynomial, z * f, small);
        var result = Vector256.MultiplyAddEstimate(exponent, Vector256.Create(Ln2High), f + y);

        // Subnormal inputs are read as normal numbers with exponent −127 or −126: the result is finite (−88.4 to −87.0,
        // where the log is down to −103.3). The kernel passes one only as a focusing weight's base below 1.2e-38,
        // where every product with the weight underflows anyway.
        return Vector256.ConditionalSelect(Vector256.Equals(x, Vector256<float>.Zero), Vector256.Create(float.NegativeInfinity), result);
    }
}
