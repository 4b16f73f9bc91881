using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Asl.Distributed.Training.Collectives;

/// <summary>The IEEE binary16 kernels of <see cref="WireCodec"/>, through TensorPrimitives (bit-identical to the Half casts).</summary>
internal static class Float16Kernels
{
    /// <summary>Floats converted per step where float16 goes through a stack buffer (2 KiB of stack).</summary>
    private const int StackChunkLength = 512;

    internal static void Encode(ReadOnlySpan<float> source, Span<byte> destination)
    {
        if (BitConverter.IsLittleEndian)
        {
            TensorPrimitives.ConvertToHalf(source, MemoryMarshal.Cast<byte, Half>(destination));
            return;
        }

        for (int i = 0; i < source.Length; i++)
            BinaryPrimitives.WriteHalfLittleEndian(destination[(i * sizeof(ushort))..], (Half)source[i]);
    }

    internal static void Decode(ReadOnlySpan<byte> source, Span<float> destination)
    {
        if (BitConverter.IsLittleEndian)
        {
            TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(source), destination);
            return;
        }

        for (int i = 0; i < destination.Length; i++)
            destination[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(source[(i * sizeof(ushort))..]);
    }

    internal static void DecodeAdd(ReadOnlySpan<byte> source, Span<float> accumulator)
    {
        Span<float> decoded = stackalloc float[StackChunkLength];
        for (int start = 0; start < accumulator.Length; start += StackChunkLength)
        {
            int count = Math.Min(StackChunkLength, accumulator.Length - start);
            var chunk = decoded[..count];
            Decode(source.Slice(start * sizeof(ushort), count * sizeof(ushort)), chunk);
            WireCodec.Add(chunk, accumulator.Slice(start, count));
        }
    }

    internal static void Round(Span<float> values)
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
