using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Asl.Distributed.Training.Collectives;
using static Asl.Distributed.Training.Tests.Collectives.WireCodecReference;

namespace Asl.Distributed.Training.Tests.Collectives;

/// <summary>
/// <see cref="WireCodec"/> against the scalar references in <see cref="WireCodecReference"/>: bfloat16 by picking the nearer of the two
/// neighbouring bfloat16 values with float64 distances (ties to the even one), float16 by the <see cref="Half"/> casts.
/// Lengths around 8 and 16 floats reach the vector bodies, their 128-bit remainders and the scalar tails.
/// </summary>
public sealed class WireCodecTests
{
    private const int RandomPatternCount = 1_000_000;

    /// <summary>The scalar tail alone handles calls this short (both vector loops need at least 8 floats).</summary>
    private const int ScalarOnlyLength = 7;

    private const byte Guard = 0xA5;

    public static TheoryData<int, WireFormat> LengthCases()
    {
        var cases = new TheoryData<int, WireFormat>();
        foreach (var length in new[] { 0, 1, 7, 8, 9, 15, 16, 17, 24, 31, 33, 1000, 100_003 })
        {
            foreach (var format in Enum.GetValues<WireFormat>())
                cases.Add(length, format);
        }
        return cases;
    }

    [Theory]
    [InlineData(WireFormat.Float32, 4)]
    [InlineData(WireFormat.BFloat16, 2)]
    [InlineData(WireFormat.Float16, 2)]
    public void BytesPerElement_KnownFormat_ReturnsWireSize(WireFormat format, int expected)
    {
        Assert.Equal(expected, WireCodec.BytesPerElement(format));
    }

    [Fact]
    public void AllOperations_UnknownFormat_ThrowArgumentOutOfRange()
    {
        var format = (WireFormat)3;
        var floats = new float[2];
        var bytes = new byte[4];

        Assert.Throws<ArgumentOutOfRangeException>(() => WireCodec.BytesPerElement(format));
        Assert.Throws<ArgumentOutOfRangeException>(() => WireCodec.Encode(floats, bytes, format));
        Assert.Throws<ArgumentOutOfRangeException>(() => WireCodec.Decode(bytes, floats, format));
        Assert.Throws<ArgumentOutOfRangeException>(() => WireCodec.DecodeAdd(bytes, floats, format));
        Assert.Throws<ArgumentOutOfRangeException>(() => WireCodec.Round(floats, format));
    }

    [Theory]
    [InlineData(WireFormat.Float32, 1)]
    [InlineData(WireFormat.Float32, -4)]
    [InlineData(WireFormat.BFloat16, 1)]
    [InlineData(WireFormat.BFloat16, -1)]
    [InlineData(WireFormat.Float16, 2)]
    [InlineData(WireFormat.Float16, -2)]
    public void Encode_WrongDestinationLength_ThrowsNamingBothLengths(WireFormat format, int extraBytes)
    {
        var source = new float[5];
        var destinationLength = 5 * WireCodec.BytesPerElement(format) + extraBytes;

        var error = Assert.Throws<ArgumentException>(
            () => WireCodec.Encode(source, new byte[destinationLength], format));

        Assert.Equal("destination", error.ParamName);
        Assert.Contains($"{destinationLength} bytes", error.Message);
        Assert.Contains("5 floats", error.Message);
        Assert.Contains($"{5 * WireCodec.BytesPerElement(format)} bytes as {format}", error.Message);
    }

    [Theory]
    [InlineData(WireFormat.Float32)]
    [InlineData(WireFormat.BFloat16)]
    [InlineData(WireFormat.Float16)]
    public void DecodeAndDecodeAdd_WrongSourceLength_ThrowNamingBothLengths(WireFormat format)
    {
        var source = new byte[3 * WireCodec.BytesPerElement(format) + 1];

        var decode = Assert.Throws<ArgumentException>(() => WireCodec.Decode(source, new float[3], format));
        var decodeAdd = Assert.Throws<ArgumentException>(() => WireCodec.DecodeAdd(source, new float[3], format));

        foreach (var error in new[] { decode, decodeAdd })
        {
            Assert.Equal("source", error.ParamName);
            Assert.Contains($"{source.Length} bytes", error.Message);
            Assert.Contains("3 floats", error.Message);
        }
    }

    [Theory]
    [InlineData(0x0000_0000u, (ushort)0x0000)] // +0
    [InlineData(0x8000_0000u, (ushort)0x8000)] // −0
    [InlineData(0x0000_0001u, (ushort)0x0000)] // smallest subnormal: to +0
    [InlineData(0x8000_0001u, (ushort)0x8000)] // −smallest subnormal: to −0
    [InlineData(0x0000_8000u, (ushort)0x0000)] // subnormal tie, even neighbour below
    [InlineData(0x0001_8000u, (ushort)0x0002)] // subnormal tie, odd neighbour below: up
    [InlineData(0x007F_FFFFu, (ushort)0x0080)] // largest subnormal: up to the smallest normal
    [InlineData(0x807F_FFFFu, (ushort)0x8080)]
    [InlineData(0x0080_0000u, (ushort)0x0080)] // smallest normal, exact
    [InlineData(0x3F80_0000u, (ushort)0x3F80)] // 1, exact
    [InlineData(0x3F80_8000u, (ushort)0x3F80)] // tie, even below: down
    [InlineData(0x3F81_8000u, (ushort)0x3F82)] // tie, odd below: up
    [InlineData(0xBF80_8000u, (ushort)0xBF80)]
    [InlineData(0xBF81_8000u, (ushort)0xBF82)]
    [InlineData(0x3F80_8001u, (ushort)0x3F81)] // just above a tie
    [InlineData(0x3F80_7FFFu, (ushort)0x3F80)] // just below a tie
    [InlineData(0x3F81_8001u, (ushort)0x3F82)]
    [InlineData(0x3F81_7FFFu, (ushort)0x3F81)]
    [InlineData(0x3FFF_8000u, (ushort)0x4000)] // tie carrying into the exponent
    [InlineData(0x7F7F_7FFFu, (ushort)0x7F7F)] // just below halfway to 2¹²⁸: the largest bfloat16
    [InlineData(0x7F7F_8000u, (ushort)0x7F80)] // halfway to 2¹²⁸, odd below: +∞
    [InlineData(0x7F7F_FFFFu, (ushort)0x7F80)] // float.MaxValue: +∞
    [InlineData(0xFF7F_FFFFu, (ushort)0xFF80)] // float.MinValue: −∞
    [InlineData(0x7F80_0000u, (ushort)0x7F80)] // +∞
    [InlineData(0xFF80_0000u, (ushort)0xFF80)] // −∞
    public void Encode_BFloat16SpecialValue_GivesExpectedBitsAndAgreesWithReference(uint input, ushort expected)
    {
        Assert.Equal(expected, ReferenceBFloat16(BitConverter.UInt32BitsToSingle(input)));

        // One element through the scalar path, 40 copies through the vector bodies and the tail.
        foreach (var length in new[] { 1, 40 })
        {
            var source = Enumerable.Repeat(BitConverter.UInt32BitsToSingle(input), length).ToArray();
            var encoded = EncodeToUInt16(source, WireFormat.BFloat16);
            Assert.All(encoded, bits => Assert.Equal(expected, bits));
        }
    }

    [Theory]
    [InlineData(0x477F_E000u, (ushort)0x7BFF)] // 65504, the largest half
    [InlineData(0x477F_EFFFu, (ushort)0x7BFF)] // just below 65520
    [InlineData(0x477F_F000u, (ushort)0x7C00)] // 65520, halfway to 2¹⁶, odd below: +∞
    [InlineData(0x7F7F_FFFFu, (ushort)0x7C00)] // float.MaxValue: +∞
    [InlineData(0x3F80_1000u, (ushort)0x3C00)] // 1 + 2⁻¹¹, tie, even below: down
    [InlineData(0x3F80_3000u, (ushort)0x3C02)] // 1 + 3·2⁻¹¹, tie, odd below: up
    [InlineData(0x3380_0000u, (ushort)0x0001)] // 2⁻²⁴, the smallest subnormal half
    [InlineData(0x3300_0000u, (ushort)0x0000)] // 2⁻²⁵, tie with 0: to +0
    [InlineData(0x3300_0001u, (ushort)0x0001)] // just above 2⁻²⁵
    [InlineData(0x33C0_0000u, (ushort)0x0002)] // 3·2⁻²⁵, tie between the subnormals 1 and 2: to 2 (even)
    [InlineData(0x3340_0000u, (ushort)0x0001)] // 3·2⁻²⁶, not a tie: up to 1
    [InlineData(0x8000_0001u, (ushort)0x8000)] // −smallest float subnormal: −0
    [InlineData(0xFF80_0000u, (ushort)0xFC00)] // −∞
    public void Encode_Float16SpecialValue_GivesExpectedBitsAndTheHalfCastsBits(uint input, ushort expected)
    {
        var value = BitConverter.UInt32BitsToSingle(input);
        Assert.Equal(expected, BitConverter.HalfToUInt16Bits((Half)value));

        foreach (var length in new[] { 1, 40 })
        {
            var encoded = EncodeToUInt16(Enumerable.Repeat(value, length).ToArray(), WireFormat.Float16);
            Assert.All(encoded, bits => Assert.Equal(expected, bits));
        }
    }

    [Theory]
    [InlineData(0x7FC0_0000u)] // the canonical quiet NaN
    [InlineData(0xFFC0_0000u)] // negative quiet NaN
    [InlineData(0x7F80_0001u)] // signalling, payload only in bits bfloat16 drops
    [InlineData(0xFF80_0001u)]
    [InlineData(0x7FBF_FFFFu)] // signalling, largest payload
    [InlineData(0x7FFF_FFFFu)] // quiet, all payload bits set: rounding up would carry into the sign
    [InlineData(0x7FFF_8000u)] // a NaN that plain rounding would turn into −0
    [InlineData(0xFFFF_8000u)] // a NaN that plain rounding would wrap around to +0
    [InlineData(0x7FA0_0000u)]
    public void EncodeAndRound_NaN_StaysNaNWithItsSign(uint input)
    {
        var nan = BitConverter.UInt32BitsToSingle(input);
        var sign = input >> 31;

        foreach (var length in new[] { 1, 40 })
        {
            var source = Enumerable.Repeat(nan, length).ToArray();

            foreach (var bits in EncodeToUInt16(source, WireFormat.BFloat16))
            {
                Assert.True(IsBFloat16NaN(bits), $"{input:X8} encoded to bfloat16 {bits:X4}, not a NaN.");
                Assert.Equal(sign, (uint)bits >> 15);
            }

            var halfBits = BitConverter.HalfToUInt16Bits((Half)nan);
            Assert.All(EncodeToUInt16(source, WireFormat.Float16), bits => Assert.Equal(halfBits, bits));

            foreach (var format in Enum.GetValues<WireFormat>())
            {
                var rounded = (float[])source.Clone();
                WireCodec.Round(rounded, format);
                Assert.All(rounded, value => Assert.True(float.IsNaN(value), $"{format}: {input:X8} rounded to {value}."));
                Assert.All(rounded, value => Assert.Equal(sign, BitConverter.SingleToUInt32Bits(value) >> 31));
            }
        }
    }

    [Fact]
    public void Encode_MillionRandomBitPatterns_MatchesReferencesInVectorAndScalarPaths()
    {
        var random = new Random(20240611);
        var bits = new uint[RandomPatternCount];
        for (var i = 0; i < bits.Length; i++)
            bits[i] = (uint)random.NextInt64(0, 1L << 32);
        var source = MemoryMarshal.Cast<uint, float>(bits.AsSpan()).ToArray();

        foreach (var format in new[] { WireFormat.BFloat16, WireFormat.Float16 })
        {
            // All at once: the vector bodies take nearly everything.
            AssertEncodedMatchesReference(source, EncodeToUInt16(source, format), format);

            // In calls of 7 floats: the scalar tail takes everything.
            var pieces = new ushort[source.Length];
            for (var start = 0; start < source.Length; start += ScalarOnlyLength)
            {
                var count = Math.Min(ScalarOnlyLength, source.Length - start);
                EncodeToUInt16(source.AsSpan(start, count), format).CopyTo(pieces.AsSpan(start));
            }
            AssertEncodedMatchesReference(source, pieces, format);
        }
    }

    [Theory]
    [MemberData(nameof(LengthCases))]
    public void Encode_AnyLength_MatchesReferenceAndWritesOnlyItsDestination(int length, WireFormat format)
    {
        var source = MixedFloats(length, seed: length);
        var size = WireCodec.BytesPerElement(format);
        // One byte in: the destination is misaligned; guard bytes either side catch stray writes.
        var buffer = new byte[length * size + 2];
        Array.Fill(buffer, Guard);

        WireCodec.Encode(source, buffer.AsSpan(1, length * size), format);

        Assert.Equal(Guard, buffer[0]);
        Assert.Equal(Guard, buffer[^1]);
        var encoded = buffer.AsSpan(1, length * size);
        if (format == WireFormat.Float32)
        {
            for (var i = 0; i < length; i++)
            {
                Assert.Equal(
                    BitConverter.SingleToUInt32Bits(source[i]),
                    BinaryPrimitives.ReadUInt32LittleEndian(encoded[(i * 4)..]));
            }
            return;
        }
        var halves = new ushort[length];
        for (var i = 0; i < length; i++)
            halves[i] = BinaryPrimitives.ReadUInt16LittleEndian(encoded[(i * 2)..]);
        AssertEncodedMatchesReference(source, halves, format);
    }

    [Theory]
    [MemberData(nameof(LengthCases))]
    public void Decode_AnyLength_MatchesReferenceAndWritesOnlyItsDestination(int length, WireFormat format)
    {
        var source = RandomBytes(length * WireCodec.BytesPerElement(format), seed: length + 1);
        var buffer = new float[length + 2];
        Array.Fill(buffer, 42f);

        WireCodec.Decode(source, buffer.AsSpan(1, length), format);

        Assert.Equal(42f, buffer[0]);
        Assert.Equal(42f, buffer[^1]);
        for (var i = 0; i < length; i++)
        {
            var expected = ReferenceDecode(source, i, format);
            var actual = BitConverter.SingleToUInt32Bits(buffer[i + 1]);
            Assert.True(expected == actual, $"{format} element {i} of {length}: expected {expected:X8}, got {actual:X8}.");
        }
    }

    [Fact]
    public void Decode_EveryBFloat16_IsTheExactValueFromItsFields()
    {
        var source = AllUInt16Patterns();
        var decoded = new float[65536];

        WireCodec.Decode(source, decoded, WireFormat.BFloat16);

        for (var pattern = 0; pattern < 65536; pattern++)
        {
            var actual = BitConverter.SingleToUInt32Bits(decoded[pattern]);
            if (IsBFloat16NaN((ushort)pattern))
            {
                // A NaN widens with its sign and payload, like every other pattern.
                Assert.True((uint)pattern << 16 == actual, $"NaN {pattern:X4} decoded to {actual:X8}.");
                continue;
            }
            var expected = BitConverter.SingleToUInt32Bits((float)BFloat16ValueFromFields((ushort)pattern));
            Assert.True(expected == actual, $"bfloat16 {pattern:X4}: expected {expected:X8}, got {actual:X8}.");
        }
    }

    [Fact]
    public void Decode_EveryFloat16_IsTheHalfCastsValue()
    {
        var source = AllUInt16Patterns();
        var decoded = new float[65536];

        WireCodec.Decode(source, decoded, WireFormat.Float16);

        for (var pattern = 0; pattern < 65536; pattern++)
        {
            var expected = BitConverter.SingleToUInt32Bits((float)BitConverter.UInt16BitsToHalf((ushort)pattern));
            var actual = BitConverter.SingleToUInt32Bits(decoded[pattern]);
            Assert.True(expected == actual, $"half {pattern:X4}: expected {expected:X8}, got {actual:X8}.");
        }
    }

    [Theory]
    [MemberData(nameof(LengthCases))]
    public void DecodeAdd_AnyLength_EqualsDecodeThenAddBitwise(int length, WireFormat format)
    {
        var source = RandomBytes(length * WireCodec.BytesPerElement(format), seed: length + 2);
        var accumulator = MixedFloats(length, seed: length + 3);
        var decoded = new float[length];
        WireCodec.Decode(source, decoded, format);
        var expected = new float[length];
        for (var i = 0; i < length; i++)
            expected[i] = accumulator[i] + decoded[i];

        WireCodec.DecodeAdd(source, accumulator, format);

        for (var i = 0; i < length; i++)
        {
            var expectedBits = BitConverter.SingleToUInt32Bits(expected[i]);
            var actualBits = BitConverter.SingleToUInt32Bits(accumulator[i]);
            // Which payload the sum of two NaNs keeps depends on operand order; any NaN is right there.
            var same = expectedBits == actualBits || (float.IsNaN(expected[i]) && float.IsNaN(accumulator[i]));
            Assert.True(same, $"{format} element {i} of {length}: expected {expectedBits:X8}, got {actualBits:X8}.");
        }
    }

    [Fact]
    public void DecodeAdd_RepeatedIntoTheSameAccumulator_Sums()
    {
        var encoded = new byte[9 * 2];
        WireCodec.Encode(Enumerable.Repeat(1.5f, 9).ToArray(), encoded, WireFormat.BFloat16);
        var accumulator = Enumerable.Range(0, 9).Select(i => (float)i).ToArray();

        WireCodec.DecodeAdd(encoded, accumulator, WireFormat.BFloat16);
        WireCodec.DecodeAdd(encoded, accumulator, WireFormat.BFloat16);

        Assert.Equal(Enumerable.Range(0, 9).Select(i => i + 3f), accumulator);
    }

    [Theory]
    [MemberData(nameof(LengthCases))]
    public void Round_AnyLength_EqualsDecodeOfEncodeBitwise(int length, WireFormat format)
    {
        var values = MixedFloats(length, seed: length + 4);
        var encoded = new byte[length * WireCodec.BytesPerElement(format)];
        WireCodec.Encode(values, encoded, format);
        var expected = new float[length];
        WireCodec.Decode(encoded, expected, format);
        var original = (float[])values.Clone();

        WireCodec.Round(values, format);

        for (var i = 0; i < length; i++)
        {
            var expectedBits = BitConverter.SingleToUInt32Bits(expected[i]);
            var actualBits = BitConverter.SingleToUInt32Bits(values[i]);
            Assert.True(
                expectedBits == actualBits,
                $"{format} element {i} of {length} ({BitConverter.SingleToUInt32Bits(original[i]):X8}): "
                + $"expected {expectedBits:X8}, got {actualBits:X8}.");
        }
        if (format == WireFormat.Float32)
            Assert.True(original.AsSpan().SequenceEqual(values), "Float32 rounding changed a value.");
    }

    [Fact]
    public void Round_MillionRandomBitPatterns_EqualsDecodeOfEncodeInVectorAndScalarPaths()
    {
        var random = new Random(77);
        var bits = new uint[RandomPatternCount];
        for (var i = 0; i < bits.Length; i++)
            bits[i] = (uint)random.NextInt64(0, 1L << 32);
        var source = MemoryMarshal.Cast<uint, float>(bits.AsSpan()).ToArray();

        foreach (var format in new[] { WireFormat.BFloat16, WireFormat.Float16 })
        {
            var encoded = new byte[source.Length * 2];
            WireCodec.Encode(source, encoded, format);
            var expected = new float[source.Length];
            WireCodec.Decode(encoded, expected, format);

            var whole = (float[])source.Clone();
            WireCodec.Round(whole, format);
            var pieces = (float[])source.Clone();
            for (var start = 0; start < pieces.Length; start += ScalarOnlyLength)
                WireCodec.Round(pieces.AsSpan(start, Math.Min(ScalarOnlyLength, pieces.Length - start)), format);

            var expectedBits = MemoryMarshal.Cast<float, uint>(expected.AsSpan());
            AssertSameBits(expectedBits, MemoryMarshal.Cast<float, uint>(whole.AsSpan()), $"{format} whole");
            AssertSameBits(expectedBits, MemoryMarshal.Cast<float, uint>(pieces.AsSpan()), $"{format} in pieces");
        }
    }
}
