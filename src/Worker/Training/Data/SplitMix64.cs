namespace Asl.Distributed.Training.Data;

/// <summary>
/// A small seeded generator (SplitMix64, Steele, Lea, Flood 2014) whose sequence is fixed by its definition, so
/// generated data sets, sampler shuffles and augmentation seeds stay identical across .NET versions, which
/// <see cref="Random"/> does not promise; one instance per item makes the output independent of how items are
/// spread over threads.
/// </summary>
internal struct SplitMix64
{
    private ulong _state;

    public SplitMix64(ulong seed) => _state = seed;

    /// <summary>A generator for one item of a stream, mixed from the three keys so neighbouring items are unrelated.</summary>
    public static SplitMix64 For(long seed, long stream, long item)
    {
        var mixer = new SplitMix64((ulong)seed);
        ulong a = mixer.NextUInt64() ^ (ulong)stream;
        mixer = new SplitMix64(a);
        ulong b = mixer.NextUInt64() ^ (ulong)item;
        return new SplitMix64(new SplitMix64(b).NextUInt64());
    }

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [<paramref name="min"/>, <paramref name="max"/>).</summary>
    public double NextDouble(double min, double max) => min + (max - min) * NextDouble();

    /// <summary>Uniform integer in [<paramref name="min"/>, <paramref name="maxExclusive"/>).</summary>
    public int NextInt(int min, int maxExclusive) => min + (int)((NextUInt64() >> 33) % (ulong)(maxExclusive - min));
}
