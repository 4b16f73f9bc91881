using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Asl.Distributed.Training.Collectives;

/// <summary>The bfloat16 kernels of <see cref="WireCodec"/>: round to nearest even, vectorised, with scalar tails.</summary>
internal static class BFloat16Kernels
{
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

    /// <summary>
    /// The float32 <paramref name="bits"/> rounded to bfloat16 in the upper half (the lower half is left over):
    /// nearest, ties to even, carrying into the exponent (up to ∞); a NaN is only quietened.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint RoundToBFloat16(uint bits) =>
        (bits & Float32MagnitudeMask) > Float32PositiveInfinityBits
            ? bits | Float32QuietNaNBit
            : bits + BFloat16RoundingBias + ((bits >> 16) & 1);

    /// <inheritdoc cref="RoundToBFloat16(uint)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<uint> RoundToBFloat16(Vector256<uint> bits)
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
    internal static Vector128<uint> RoundToBFloat16(Vector128<uint> bits)
    {
        var rounded = bits + Vector128.Create(BFloat16RoundingBias) + ((bits >>> 16) & Vector128<uint>.One);
        var isNaN = Vector128.GreaterThan(
            (bits & Vector128.Create(Float32MagnitudeMask)).AsInt32(),
            Vector128.Create((int)Float32PositiveInfinityBits)).AsUInt32();
        return Vector128.ConditionalSelect(isNaN, bits | Vector128.Create(Float32QuietNaNBit), rounded);
    }

    /// <summary>Native-endian <paramref name="value"/> as it lies little-endian in memory.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ushort LittleEndian(ushort value) =>
        BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);

    internal static void Encode(ReadOnlySpan<float> source, Span<byte> destination)
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
    internal static uint ReadBFloat16Bits(ref byte source, nuint index) =>
        (uint)LittleEndian(Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref source, index * sizeof(ushort)))) << 16;

    internal static void Decode(ReadOnlySpan<byte> source, Span<float> destination)
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

    internal static void DecodeAdd(ReadOnlySpan<byte> source, Span<float> accumulator)
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

    internal static void Round(Span<float> values)
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
}
