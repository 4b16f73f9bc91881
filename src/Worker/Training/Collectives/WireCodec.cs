using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Asl.Distributed.Training.Collectives;

/// <summary>
/// Converts float32 gradient chunks to and from their bytes on the wire in a <see cref="WireFormat"/>: pure,
/// allocation-free, vectorised with <see cref="Vector256"/> and <see cref="Vector128"/> where the hardware has them,
/// with scalar tails and a scalar fallback that give the same bits.
/// </summary>
/// <remarks>
/// Wire bytes are little-endian. <see cref="WireFormat.BFloat16"/> rounds to nearest, ties to even, overflowing to
/// ±∞ and keeping ∞, −0, subnormals (rounded) and NaN (quietened, sign kept). <see cref="WireFormat.Float16"/> gives
/// exactly the bits of the <see cref="Half"/> conversion for every input. Decoding widens exactly.
/// </remarks>
public static class WireCodec
{
    /// <summary>Floats converted per step where float16 goes through a stack buffer (2 KiB of stack).</summary>
    private const int StackChunkLength = 512;

    /// <summary>Added to a float32's bits before truncating to bfloat16: one less than half a bfloat16 ulp.</summary>
    private const uint BFloat16RoundingBias = 0x7FFF;

    /// <summary>The float32 bits of +∞; anything larger in magnitude is a NaN.</summary>
    private const uint Float32PositiveInfinityBits = 0x7F80_0000;

    /// <summary>The float32 quiet-NaN bit (the top fraction bit), bit 0x0040 of the bfloat16.</summary>
    private const uint Float32QuietNaNBit = 0x0040_0000;

    /// <summary>Everything but the sign bit of a float32.</summary>
    private const uint Float32MagnitudeMask = 0x7FFF_FFFF;

    /// <summary>The float32 bits a bfloat16 keeps.</summary>
    private const uint BFloat16KeptBitsMask = 0xFFFF_0000;

    /// <summary>Bytes per element on the wire: 4 for float32, 2 for bfloat16 and float16.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not a defined format.</exception>
    public static int BytesPerElement(WireFormat format) => format switch
    {
        WireFormat.Float32 => sizeof(float),
        WireFormat.BFloat16 => sizeof(ushort),
        WireFormat.Float16 => sizeof(ushort),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown wire format."),
    };

    /// <summary>Writes <paramref name="source"/> into <paramref name="destination"/> in <paramref name="format"/>.</summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="destination"/> is not exactly <c>source.Length * BytesPerElement(format)</c> bytes long.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not a defined format.</exception>
    public static void Encode(ReadOnlySpan<float> source, Span<byte> destination, WireFormat format)
    {
        CheckLengths(source.Length, destination.Length, format, nameof(destination), "destination", "source");
        switch (format)
        {
            case WireFormat.Float32:
                EncodeFloat32(source, destination);
                break;
            case WireFormat.BFloat16:
                EncodeBFloat16(source, destination);
                break;
            default:
                EncodeFloat16(source, destination);
                break;
        }
    }

    /// <summary>Widens <paramref name="source"/>, encoded in <paramref name="format"/>, exactly into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="source"/> is not exactly <c>destination.Length * BytesPerElement(format)</c> bytes long.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not a defined format.</exception>
    public static void Decode(ReadOnlySpan<byte> source, Span<float> destination, WireFormat format)
    {
        CheckLengths(destination.Length, source.Length, format, nameof(source), "source", "destination");
        switch (format)
        {
            case WireFormat.Float32:
                DecodeFloat32(source, destination);
                break;
            case WireFormat.BFloat16:
                DecodeBFloat16(source, destination);
                break;
            default:
                DecodeFloat16(source, destination);
                break;
        }
    }

    /// <summary>
    /// Adds <paramref name="source"/>, encoded in <paramref name="format"/>, into <paramref name="accumulator"/> in
    /// float32: the same bits as <see cref="Decode"/> followed by element-wise addition, without the temporary.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="source"/> is not exactly <c>accumulator.Length * BytesPerElement(format)</c> bytes long.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not a defined format.</exception>
    public static void DecodeAdd(ReadOnlySpan<byte> source, Span<float> accumulator, WireFormat format)
    {
        CheckLengths(accumulator.Length, source.Length, format, nameof(source), "source", "accumulator");
        switch (format)
        {
            case WireFormat.Float32:
                DecodeAddFloat32(source, accumulator);
                break;
            case WireFormat.BFloat16:
                DecodeAddBFloat16(source, accumulator);
                break;
            default:
                DecodeAddFloat16(source, accumulator);
                break;
        }
    }

    /// <summary>
    /// Rounds <paramref name="values"/> in place to what the wire carries: each becomes <c>Decode(Encode(value))</c>,
    /// so a sender can keep exactly what its peers receive. The identity for <see cref="WireFormat.Float32"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not a defined format.</exception>
    public static void Round(Span<float> values, WireFormat format)
    {
        switch (format)
        {
            case WireFormat.Float32:
                break;
            case WireFormat.BFloat16:
                RoundBFloat16(values);
                break;
            case WireFormat.Float16:
                RoundFloat16(values);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown wire format.");
        }
    }

    private static void CheckLengths(
        int floatCount, int byteCount, WireFormat format, string paramName, string byteSide, string floatSide)
    {
        long expected = (long)floatCount * BytesPerElement(format);
        if (byteCount != expected)
        {
            throw new ArgumentException(
                $"The {byteSide} is {byteCount} bytes long, but the {floatSide}'s {floatCount} floats take "
                + $"{expected} bytes as {format}.",
                paramName);
        }
    }

    private static void EncodeFloat32(ReadOnlySpan<float> source, Span<byte> destination)
    {
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(source).CopyTo(destination);
            return;
        }

        for (int i = 0; i < source.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(destination[(i * sizeof(float))..], source[i]);
    }

    private static void DecodeFloat32(ReadOnlySpan<byte> source, Span<float> destination)
    {
        if (BitConverter.IsLittleEndian)
        {
            source.CopyTo(MemoryMarshal.AsBytes(destination));
            return;
        }

        for (int i = 0; i < destination.Length; i++)
            destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(i * sizeof(float))..]);
    }

    private static void DecodeAddFloat32(ReadOnlySpan<byte> source, Span<float> accumulator)
    {
        if (BitConverter.IsLittleEndian)
        {
            Add(MemoryMarshal.Cast<byte, float>(source), accumulator);
            return;
        }

        for (int i = 0; i < accumulator.Length; i++)
            accumulator[i] += BinaryPrimitives.ReadSingleLittleEndian(source[(i * sizeof(float))..]);
    }

    /// <summary><c>accumulator[i] += addend[i]</c>; the lengths are equal.</summary>
    private static void Add(ReadOnlySpan<float> addend, Span<float> accumulator)
    {
        ref float add = ref MemoryMarshal.GetReference(addend);
        ref float acc = ref MemoryMarshal.GetReference(accumulator);
        nuint length = (nuint)accumulator.Length;
        nuint i = 0;

        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector256<float>.Count <= length; i += (nuint)Vector256<float>.Count)
                (Vector256.LoadUnsafe(ref acc, i) + Vector256.LoadUnsafe(ref add, i)).StoreUnsafe(ref acc, i);
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector128<float>.Count <= length; i += (nuint)Vector128<float>.Count)
                (Vector128.LoadUnsafe(ref acc, i) + Vector128.LoadUnsafe(ref add, i)).StoreUnsafe(ref acc, i);
        }

        for (; i < length; i++)
            Unsafe.Add(ref acc, i) += Unsafe.Add(ref add, i);
    }

    /// <summary>
    /// The float32 <paramref name="bits"/> rounded to bfloat16 in the upper half (the lower half is left over):
    /// nearest, ties to even, carrying into the exponent (up to ∞); a NaN is only quietened.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint RoundToBFloat16(uint bits) =>
        (bits & Float32MagnitudeMask) > Float32PositiveInfinityBits
            ? bits | Float32QuietNaNBit
            : bits + BFloat16RoundingBias + ((bits >> 16) & 1);

    /// <inheritdoc cref="RoundToBFloat16(uint)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> RoundToBFloat16(Vector256<uint> bits)
    {
        var rounded = bits + Vector256.Create(BFloat16RoundingBias) + ((bits >>> 16) & Vector256<uint>.One);
        // Magnitudes are below 2³¹, so a signed comparison is exact (and cheaper than an unsigned one on x86).
        var isNaN = Vector256.GreaterThan(
            (bits & Vector256.Create(Float32MagnitudeMask)).AsInt32(),
            Vector256.Create((int)Float32PositiveInfinityBits)).AsUInt32();
        return Vector256.ConditionalSelect(isNaN, bits | Vector256.Create(Float32QuietNaNBit), rounded);
    }

    /// <inheritdoc cref="RoundToBFloat16(uint)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> RoundToBFloat16(Vector128<uint> bits)
    {
        var rounded = bits + Vector128.Create(BFloat16RoundingBias) + ((bits >>> 16) & Vector128<uint>.One);
        var isNaN = Vector128.GreaterThan(
            (bits & Vector128.Create(Float32MagnitudeMask)).AsInt32(),
            Vector128.Create((int)Float32PositiveInfinityBits)).AsUInt32();
        return Vector128.ConditionalSelect(isNaN, bits | Vector128.Create(Float32QuietNaNBit), rounded);
    }

    /// <summary>Native-endian <paramref name="value"/> as it lies little-endian in memory.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ushort LittleEndian(ushort value) =>
        BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);

    private static void EncodeBFloat16(ReadOnlySpan<float> source, Span<byte> destination)
    {
        ref uint src = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetReference(source));
        ref byte dstBytes = ref MemoryMarshal.GetReference(destination);
        ref ushort dst = ref Unsafe.As<byte, ushort>(ref dstBytes);
        nuint length = (nuint)source.Length;
        nuint i = 0;

        // Vector lanes hold native-endian values, which are the wire's little-endian ones only on such machines.
        if (BitConverter.IsLittleEndian)
        {
            if (Vector256.IsHardwareAccelerated)
            {
                for (; i + 16 <= length; i += 16)
                {
                    var lower = RoundToBFloat16(Vector256.LoadUnsafe(ref src, i)) >>> 16;
                    var upper = RoundToBFloat16(Vector256.LoadUnsafe(ref src, i + 8)) >>> 16;
                    Vector256.Narrow(lower, upper).StoreUnsafe(ref dst, i);
                }
            }

            if (Vector128.IsHardwareAccelerated)
            {
                for (; i + 8 <= length; i += 8)
                {
                    var lower = RoundToBFloat16(Vector128.LoadUnsafe(ref src, i)) >>> 16;
                    var upper = RoundToBFloat16(Vector128.LoadUnsafe(ref src, i + 4)) >>> 16;
                    Vector128.Narrow(lower, upper).StoreUnsafe(ref dst, i);
                }
            }
        }

        for (; i < length; i++)
        {
            var half = (ushort)(RoundToBFloat16(Unsafe.Add(ref src, i)) >> 16);
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref dstBytes, i * sizeof(ushort)), LittleEndian(half));
        }
    }

    /// <summary>The float32 bits of the <paramref name="index"/>th little-endian bfloat16 at <paramref name="source"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint ReadBFloat16Bits(ref byte source, nuint index) =>
        (uint)LittleEndian(Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref source, index * sizeof(ushort)))) << 16;

    private static void DecodeBFloat16(ReadOnlySpan<byte> source, Span<float> destination)
    {
        ref byte srcBytes = ref MemoryMarshal.GetReference(source);
        ref ushort src = ref Unsafe.As<byte, ushort>(ref srcBytes);
        ref uint dst = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetReference(destination));
        nuint length = (nuint)destination.Length;
        nuint i = 0;

        if (BitConverter.IsLittleEndian)
        {
            if (Vector256.IsHardwareAccelerated)
            {
                for (; i + 16 <= length; i += 16)
                {
                    var (lower, upper) = Vector256.Widen(Vector256.LoadUnsafe(ref src, i));
                    (lower << 16).StoreUnsafe(ref dst, i);
                    (upper << 16).StoreUnsafe(ref dst, i + 8);
                }
            }

            if (Vector128.IsHardwareAccelerated)
            {
                for (; i + 8 <= length; i += 8)
                {
                    var (lower, upper) = Vector128.Widen(Vector128.LoadUnsafe(ref src, i));
                    (lower << 16).StoreUnsafe(ref dst, i);
                    (upper << 16).StoreUnsafe(ref dst, i + 4);
                }
            }
        }

        for (; i < length; i++)
            Unsafe.Add(ref dst, i) = ReadBFloat16Bits(ref srcBytes, i);
    }

    private static void DecodeAddBFloat16(ReadOnlySpan<byte> source, Span<float> accumulator)
    {
        ref byte srcBytes = ref MemoryMarshal.GetReference(source);
        ref ushort src = ref Unsafe.As<byte, ushort>(ref srcBytes);
        ref float acc = ref MemoryMarshal.GetReference(accumulator);
        nuint length = (nuint)accumulator.Length;
        nuint i = 0;

        if (BitConverter.IsLittleEndian)
        {
            if (Vector256.IsHardwareAccelerated)
            {
                for (; i + 16 <= length; i += 16)
                {
                    var (lower, upper) = Vector256.Widen(Vector256.LoadUnsafe(ref src, i));
                    (Vector256.LoadUnsafe(ref acc, i) + (lower << 16).AsSingle()).StoreUnsafe(ref acc, i);
                    (Vector256.LoadUnsafe(ref acc, i + 8) + (upper << 16).AsSingle()).StoreUnsafe(ref acc, i + 8);
                }
            }

            if (Vector128.IsHardwareAccelerated)
            {
                for (; i + 8 <= length; i += 8)
                {
                    var (lower, upper) = Vector128.Widen(Vector128.LoadUnsafe(ref src, i));
                    (Vector128.LoadUnsafe(ref acc, i) + (lower << 16).AsSingle()).StoreUnsafe(ref acc, i);
                    (Vector128.LoadUnsafe(ref acc, i + 4) + (upper << 16).AsSingle()).StoreUnsafe(ref acc, i + 4);
                }
            }
        }

        for (; i < length; i++)
            Unsafe.Add(ref acc, i) += BitConverter.UInt32BitsToSingle(ReadBFloat16Bits(ref srcBytes, i));
    }

    private static void RoundBFloat16(Span<float> values)
    {
        ref uint bits = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetReference(values));
        nuint length = (nuint)values.Length;
        nuint i = 0;

        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector256<uint>.Count <= length; i += (nuint)Vector256<uint>.Count)
            {
                (RoundToBFloat16(Vector256.LoadUnsafe(ref bits, i)) & Vector256.Create(BFloat16KeptBitsMask))
                    .StoreUnsafe(ref bits, i);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector128<uint>.Count <= length; i += (nuint)Vector128<uint>.Count)
            {
                (RoundToBFloat16(Vector128.LoadUnsafe(ref bits, i)) & Vector128.Create(BFloat16KeptBitsMask))
                    .StoreUnsafe(ref bits, i);
            }
        }

        for (; i < length; i++)
            Unsafe.Add(ref bits, i) = RoundToBFloat16(Unsafe.Add(ref bits, i)) & BFloat16KeptBitsMask;
    }

    // Float16 goes through TensorPrimitives, whose conversions are vectorised and give the bits of the Half casts.

    private static void EncodeFloat16(ReadOnlySpan<float> source, Span<byte> destination)
    {
        if (BitConverter.IsLittleEndian)
        {
            TensorPrimitives.ConvertToHalf(source, MemoryMarshal.Cast<byte, Half>(destination));
            return;
        }

        for (int i = 0; i < source.Length; i++)
            BinaryPrimitives.WriteHalfLittleEndian(destination[(i * sizeof(ushort))..], (Half)source[i]);
    }

    private static void DecodeFloat16(ReadOnlySpan<byte> source, Span<float> destination)
    {
        if (BitConverter.IsLittleEndian)
        {
            TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(source), destination);
            return;
        }

        for (int i = 0; i < destination.Length; i++)
            destination[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(source[(i * sizeof(ushort))..]);
    }

    private static void DecodeAddFloat16(ReadOnlySpan<byte> source, Span<float> accumulator)
    {
        Span<float> decoded = stackalloc float[StackChunkLength];
        for (int start = 0; start < accumulator.Length; start += StackChunkLength)
        {
            int count = Math.Min(StackChunkLength, accumulator.Length - start);
            var chunk = decoded[..count];
            DecodeFloat16(source.Slice(start * sizeof(ushort), count * sizeof(ushort)), chunk);
            Add(chunk, accumulator.Slice(start, count));
        }
    }

    private static void RoundFloat16(Span<float> values)
    {
        Span<Half> halves = stackalloc Half[StackChunkLength];
        for (int start = 0; start < values.Length; start += StackChunkLength)
        {
            int count = Math.Min(StackChunkLength, values.Length - start);
            var chunk = values.Slice(start, count);
            TensorPrimitives.ConvertToHalf(chunk, halves[..count]);
            TensorPrimitives.ConvertToSingle(halves[..count], chunk);
        }
    }
}
