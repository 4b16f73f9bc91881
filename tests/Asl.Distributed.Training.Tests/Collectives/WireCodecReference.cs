using System.Buffers.Binary;
using Asl.Distributed.Training.Collectives;

namespace Asl.Distributed.Training.Tests.Collectives;

/// <summary>
/// Independent references and helpers for <see cref="WireCodecTests"/>: bfloat16 by picking the nearer of the two
/// neighbouring bfloat16 values with float64 distances (ties to the even one), float16 by the <see cref="Half"/> casts,
/// and the bit-level assertions and test data they share.
/// </summary>
internal static class WireCodecReference
{
    /// <summary>
    /// bfloat16 by definition: the two bfloat16 neighbours of <paramref name="value"/> (2¹²⁸ standing in for ∞ above
    /// the largest finite one), the nearer in float64 wins, ties go to the one with an even last bit. NaN is not
    /// handled here.
    /// </summary>
    internal static ushort ReferenceBFloat16(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if ((bits & 0xFFFF) == 0)
            return (ushort)(bits >> 16); // exactly representable, including ±0 and ±∞

        var towardZero = (ushort)(bits >> 16);
        var awayFromZero = (ushort)(towardZero + 1);
        var magnitude = Math.Abs((double)value);
        var below = magnitude - Math.Abs((double)BitConverter.UInt32BitsToSingle((uint)towardZero << 16));
        var aboveMagnitude = (awayFromZero & 0x7FFF) == 0x7F80
            ? Math.Pow(2, 128)
            : Math.Abs((double)BitConverter.UInt32BitsToSingle((uint)awayFromZero << 16));
        var above = aboveMagnitude - magnitude;

        if (below < above)
            return towardZero;
        if (above < below)
            return awayFromZero;
        return (towardZero & 1) == 0 ? towardZero : awayFromZero;
    }

    /// <summary>A finite or infinite bfloat16's value from its sign, exponent and fraction, in float64.</summary>
    internal static double BFloat16ValueFromFields(ushort bits)
    {
        var sign = (bits & 0x8000) != 0 ? -1.0 : 1.0;
        var exponent = (bits >> 7) & 0xFF;
        var fraction = bits & 0x7F;
        if (exponent == 0xFF)
            return sign * double.PositiveInfinity;
        if (exponent == 0)
            return sign * Math.ScaleB(fraction / 128.0, -126);
        return sign * Math.ScaleB(1 + fraction / 128.0, exponent - 127);
    }

    internal static bool IsBFloat16NaN(ushort bits) => (bits & 0x7F80) == 0x7F80 && (bits & 0x007F) != 0;

    /// <summary>The float32 bits the <paramref name="index"/>th element of <paramref name="source"/> decodes to.</summary>
    internal static uint ReferenceDecode(byte[] source, int index, WireFormat format) => format switch
    {
        WireFormat.Float32 => BinaryPrimitives.ReadUInt32LittleEndian(source.AsSpan(index * 4)),
        WireFormat.BFloat16 => IsBFloat16NaN(BinaryPrimitives.ReadUInt16LittleEndian(source.AsSpan(index * 2)))
            ? (uint)BinaryPrimitives.ReadUInt16LittleEndian(source.AsSpan(index * 2)) << 16
            : BitConverter.SingleToUInt32Bits(
                (float)BFloat16ValueFromFields(BinaryPrimitives.ReadUInt16LittleEndian(source.AsSpan(index * 2)))),
        _ => BitConverter.SingleToUInt32Bits((float)BinaryPrimitives.ReadHalfLittleEndian(source.AsSpan(index * 2))),
    };

    internal static void AssertEncodedMatchesReference(ReadOnlySpan<float> source, ReadOnlySpan<ushort> encoded, WireFormat format)
    {
        for (var i = 0; i < source.Length; i++)
        {
            var input = BitConverter.SingleToUInt32Bits(source[i]);
            bool ok;
            if (format == WireFormat.Float16)
                ok = encoded[i] == BitConverter.HalfToUInt16Bits((Half)source[i]);
            else if (float.IsNaN(source[i]))
                ok = IsBFloat16NaN(encoded[i]) && encoded[i] >> 15 == input >> 31;
            else
                ok = encoded[i] == ReferenceBFloat16(source[i]);
            Assert.True(ok, $"{format} element {i} of {source.Length}: {input:X8} encoded to {encoded[i]:X4}.");
        }
    }

    internal static void AssertSameBits(ReadOnlySpan<uint> expected, ReadOnlySpan<uint> actual, string what)
    {
        for (var i = 0; i < expected.Length; i++)
            Assert.True(expected[i] == actual[i], $"{what}, element {i}: expected {expected[i]:X8}, got {actual[i]:X8}.");
    }

    internal static ushort[] EncodeToUInt16(ReadOnlySpan<float> source, WireFormat format)
    {
        var bytes = new byte[source.Length * 2];
        WireCodec.Encode(source, bytes, format);
        var result = new ushort[source.Length];
        for (var i = 0; i < result.Length; i++)
            result[i] = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(i * 2));
        return result;
    }

    internal static byte[] AllUInt16Patterns()
    {
        var bytes = new byte[65536 * 2];
        for (var pattern = 0; pattern < 65536; pattern++)
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(pattern * 2), (ushort)pattern);
        return bytes;
    }

    internal static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>
    /// Gradient-like values, raw bit patterns (NaNs and infinities included), exact bfloat16 ties and exact float16
    /// ties, in equal shares.
    /// </summary>
    internal static float[] MixedFloats(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (var i = 0; i < length; i++)
        {
            var raw = (uint)random.NextInt64(0, 1L << 32);
            values[i] = (i % 4) switch
            {
                0 => (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-8, 3))),
                1 => BitConverter.UInt32BitsToSingle(raw),
                2 => BitConverter.UInt32BitsToSingle((raw & 0xFFFF_0000) | 0x8000),
                // Exponents from float16's subnormals to past its largest value, ending exactly half a half-ulp.
                _ => BitConverter.UInt32BitsToSingle(
                    (raw & 0x8000_0000) | ((uint)random.Next(100, 145) << 23) | (raw & 0x007F_E000) | 0x1000),
            };
        }
        return values;
    }
}
