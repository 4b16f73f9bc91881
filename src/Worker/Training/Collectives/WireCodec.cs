using System.Buffers.Binary;
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
                BFloat16Kernels.Encode(source, destination);
                break;
            default:
                Float16Kernels.Encode(source, destination);
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
                BFloat16Kernels.Decode(source, destination);
                break;
            default:
                Float16Kernels.Decode(source, destination);
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
                BFloat16Kernels.DecodeAdd(source, accumulator);
                break;
            default:
                Float16Kernels.DecodeAdd(source, accumulator);
                break;
        }
    }

    /// <summary>
    /// Decodes <paramref name="source"/> into <paramref name="destination"/> as <paramref name="accumulation"/> says:
    /// <see cref="Decode"/>, <see cref="DecodeAdd"/>, or DecodeAdd followed by division by the divisor, with the same
    /// bits as those passes one after another (float32 does both in one pass).
    /// </summary>
    public static void Apply(ReadOnlySpan<byte> source, Span<float> destination, WireFormat format, Accumulation accumulation)
    {
        if (!accumulation.Adds)
        {
            Decode(source, destination, format);
            return;
        }
        if (accumulation.Divisor <= 1)
        {
            DecodeAdd(source, destination, format);
            return;
        }
        if (format == WireFormat.Float32 && BitConverter.IsLittleEndian)
        {
            CheckLengths(destination.Length, source.Length, format, nameof(source), "source", "destination");
            AddThenDivide(MemoryMarshal.Cast<byte, float>(source), destination, accumulation.Divisor);
            return;
        }
        DecodeAdd(source, destination, format);
        System.Numerics.Tensors.TensorPrimitives.Divide(destination, accumulation.Divisor, destination);
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
                BFloat16Kernels.Round(values);
                break;
            case WireFormat.Float16:
                Float16Kernels.Round(values);
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

    /// <summary><c>accumulator[i] = (accumulator[i] + addend[i]) / divisor</c>, both IEEE operations; the lengths are equal.</summary>
    internal static void AddThenDivide(ReadOnlySpan<float> addend, Span<float> accumulator, float divisor)
    {
        ref float add = ref MemoryMarshal.GetReference(addend);
        ref float acc = ref MemoryMarshal.GetReference(accumulator);
        nuint length = (nuint)accumulator.Length;
        nuint i = 0;

        if (Vector256.IsHardwareAccelerated)
        {
            var by = Vector256.Create(divisor);
            for (; i + (nuint)Vector256<float>.Count <= length; i += (nuint)Vector256<float>.Count)
                ((Vector256.LoadUnsafe(ref acc, i) + Vector256.LoadUnsafe(ref add, i)) / by).StoreUnsafe(ref acc, i);
        }

        for (; i < length; i++)
            Unsafe.Add(ref acc, i) = (Unsafe.Add(ref acc, i) + Unsafe.Add(ref add, i)) / divisor;
    }

    /// <summary><c>accumulator[i] += addend[i]</c>; the lengths are equal.</summary>
    internal static void Add(ReadOnlySpan<float> addend, Span<float> accumulator)
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
}
