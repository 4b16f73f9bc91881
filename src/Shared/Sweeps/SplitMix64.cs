namespace Asl.Distributed.Sweeps;

/// <summary>
/// Steele, Lea and Flood's SplitMix64: a 64-bit counter advanced by the golden-ratio increment and mixed. Its n-th
/// output is a function of the seed and n alone (<see cref="At"/>), which is how a trial's generator is keyed by
/// the sweep seed and the trial's index without drawing the trials before it.
/// </summary>
public sealed class SplitMix64(ulong seed)
{
    private const ulong Increment = 0x9E3779B97F4A7C15;

    private ulong _state = seed;

    /// <summary>The next output.</summary>
    public ulong Next()
    {
        _state += Increment;
        return Mix(_state);
    }

    /// <summary>The output number <paramref name="n"/> (from 0) of a generator seeded with <paramref name="seed"/>.</summary>
    public static ulong At(ulong seed, ulong n) => Mix(seed + ((n + 1) * Increment));

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
