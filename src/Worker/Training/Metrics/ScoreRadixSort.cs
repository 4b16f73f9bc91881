using System.Runtime.CompilerServices;

namespace Asl.Distributed.Training.Metrics;

/// <summary>
/// LSD radix sort of packed (score key, payload) items by their high 32 bits, in three passes of 11 bits. On one
/// class of 100,000 samples it is about 7× faster than <c>Span.Sort</c> on the same packed keys and about 20× faster
/// than <c>Array.Sort</c> on (score, label) pairs (the last table of the <c>map</c> benchmark).
/// </summary>
internal static class ScoreRadixSort
{
    /// <summary>Length of the digit-count scratch that <see cref="SortByHighWord"/> needs.</summary>
    public const int DigitCountsLength = Passes * Radix;

    private const int DigitBits = 11;
    private const int Radix = 1 << DigitBits;
    private const int Passes = 3;

    /// <summary>
    /// A key whose unsigned order is the descending order of finite scores, with −0 and +0 equal (they are the same
    /// threshold to a float comparison, and to scikit-learn).
    /// </summary>
    public static uint DescendingKey(float score)
    {
        // Adding +0 turns −0 into +0 and leaves every other value alone.
        uint bits = BitConverter.SingleToUInt32Bits(score + 0f);
        // Ascending order: flip every bit of negatives, only the sign bit of non-negatives. Then invert.
        uint flip = (uint)((int)bits >> 31) | 0x8000_0000u;
        return ~(bits ^ flip);
    }

    /// <summary>
    /// Sorts <paramref name="items"/> by bits 32–63 ascending and returns the span (items or buffer) that holds the
    /// result; both must have the same length.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Span<ulong> SortByHighWord(Span<ulong> items, Span<ulong> buffer, Span<int> digitCounts)
    {
        if (items.Length < 2)
        {
            return items;
        }

        // One pass counts all three digits.
        digitCounts.Clear();
        var low = digitCounts[..Radix];
        var middle = digitCounts.Slice(Radix, Radix);
        var high = digitCounts.Slice(2 * Radix, Radix);
        foreach (ulong item in items)
        {
            uint key = (uint)(item >> 32);
            low[(int)(key & (Radix - 1))]++;
            middle[(int)((key >> DigitBits) & (Radix - 1))]++;
            high[(int)(key >> (2 * DigitBits))]++;
        }

        var source = items;
        var destination = buffer;
        for (int pass = 0; pass < Passes; pass++)
        {
            int shift = 32 + pass * DigitBits;
            var offsets = digitCounts.Slice(pass * Radix, Radix);
            // A digit shared by every item (e.g. the exponent bits of scores in a narrow range) needs no pass.
            if (offsets[(int)((source[0] >> shift) & (Radix - 1))] == source.Length)
            {
                continue;
            }

            int sum = 0;
            for (int digit = 0; digit < Radix; digit++)
            {
                int count = offsets[digit];
                offsets[digit] = sum;
                sum += count;
            }

            foreach (ulong item in source)
            {
                destination[offsets[(int)((item >> shift) & (Radix - 1))]++] = item;
            }

            var swap = source;
            source = destination;
            destination = swap;
        }

        return source;
    }
}
