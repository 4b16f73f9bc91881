using System.Numerics;

namespace Asl.Distributed.Sweeps;

/// <summary>
/// Blackman and Vigna's xoshiro256**: the generator each trial samples its settings from. Written out here (not
/// <see cref="System.Random"/>, whose algorithm may change between .NET versions) so that a stored sweep draws the
/// same trials on any runtime, for ever.
/// </summary>
public sealed class Xoshiro256StarStar
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    /// <summary>Seeds the four state words with SplitMix64, as the authors recommend.</summary>
    public Xoshiro256StarStar(ulong seed)
    {
        var words = new SplitMix64(seed);
        (_s0, _s1, _s2, _s3) = (words.Next(), words.Next(), words.Next(), words.Next());
    }

    /// <summary>Starts from the state words as given (reference test vectors are written this way).</summary>
    public Xoshiro256StarStar(ulong s0, ulong s1, ulong s2, ulong s3)
    {
        if ((s0 | s1 | s2 | s3) == 0)
            throw new ArgumentException("the all-zero state is the one state xoshiro never leaves");
        (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong Next()
    {
        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A double in [0, 1) from the top 53 bits: every multiple of 2⁻⁵³ equally likely.</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>An integer in [0, <paramref name="bound"/>), without the bias of a plain modulo (Lemire's method).</summary>
    public ulong NextBelow(ulong bound)
    {
        ArgumentOutOfRangeException.ThrowIfZero(bound);
        ulong high = Math.BigMul(Next(), bound, out ulong low);
        if (low < bound)
        {
            // Products whose low word falls below 2⁶⁴ mod bound would make some results one draw more likely.
            ulong threshold = (0 - bound) % bound;
            while (low < threshold)
                high = Math.BigMul(Next(), bound, out low);
        }
        return high;
    }
}
