using Asl.Distributed.Training.Data;

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
        ulong h = new SplitMix64((ulong)seed).NextUInt64();
        h = new SplitMix64(h ^ (uint)epoch).NextUInt64();
        h = new SplitMix64(h ^ ((ulong)(uint)sampleIndex << 17)).NextUInt64();
        return new Random((int)(h >> 33));
    }
}
