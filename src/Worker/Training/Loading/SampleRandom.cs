namespace Asl.Distributed.Training.Loading;

/// <summary>
/// The random source of one sample's augmentation, derived from (seed, epoch, sample index) alone. Because no
/// generator is shared between samples, the batches a loader produces do not depend on how many threads made them or
/// in which order they finished, and a single sample's augmentation can be reproduced in isolation.
/// </summary>
public static class SampleRandom
{
    /// <summary>
    /// A <see cref="Random"/> seeded from a SplitMix64 hash of the three values. Seeded <see cref="Random"/> uses
    /// .NET's fixed legacy algorithm, so the sequence is stable across runtimes.
    /// </summary>
    public static Random For(long seed, int epoch, int sampleIndex)
    {
        ulong state = (ulong)seed;
        ulong h = SplitMix64(ref state);
        state = h ^ (uint)epoch;
        h = SplitMix64(ref state);
        state = h ^ ((ulong)(uint)sampleIndex << 17);
        h = SplitMix64(ref state);
        return new Random((int)(h >> 33));
    }

    /// <summary>One step of SplitMix64 (Steele, Lea, Flood 2014): advances <paramref name="state"/> and returns 64 mixed bits.</summary>
    internal static ulong SplitMix64(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
