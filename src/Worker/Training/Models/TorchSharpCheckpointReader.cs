using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Models;

/// <summary>
/// Reads TorchSharp's <c>Module.save</c> format into a key → tensor map, checking every length against the bytes
/// left so that a truncated or foreign file fails with a clear message instead of a huge allocation.
/// </summary>
internal static class TorchSharpCheckpointReader
{
    private const int MaxDimensions = 16;

    /// <summary>Reads all entries; the tensors belong to the caller's dispose scope.</summary>
    public static Dictionary<string, Tensor> Read(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        long count = ReadLength(reader, path, "entry count");
        // Each entry takes at least a key length, a dtype, and a rank byte.
        if (count > stream.Length / 3)
            throw Invalid(path, $"declares {count} entries in {stream.Length} bytes");

        var result = new Dictionary<string, Tensor>((int)count);
        for (long i = 0; i < count; i++)
        {
            string key = reader.ReadString();
            var dtype = (ScalarType)ReadLength(reader, path, "dtype");
            if (!Enum.IsDefined(dtype))
                throw Invalid(path, $"entry '{key}' has unknown dtype code {(long)dtype}");
            long rank = ReadLength(reader, path, "rank");
            if (rank > MaxDimensions)
                throw Invalid(path, $"entry '{key}' has rank {rank}");

            var shape = new long[rank];
            long elements = 1;
            for (int d = 0; d < rank; d++)
            {
                shape[d] = ReadLength(reader, path, "dimension");
                elements = checked(elements * shape[d]);
            }

            long bytes = checked(elements * ElementSize(dtype));
            long left = stream.Length - stream.Position;
            if (bytes > left)
                throw Invalid(path, $"is truncated: entry '{key}' needs {bytes} bytes, {left} left");

            var tensor = empty(shape, dtype);
            tensor.ReadBytesFromStream(stream);
            result[key] = tensor;
        }

        if (stream.Position != stream.Length)
            throw Invalid(path, $"has {stream.Length - stream.Position} bytes after its last entry");
        return result;
    }

    private static long ReadLength(BinaryReader reader, string path, string what)
    {
        long value = reader.Read7BitEncodedInt64();
        if (value < 0)
            throw Invalid(path, $"has a negative {what}");
        return value;
    }

    private static long ElementSize(ScalarType dtype)
    {
        using var probe = empty(0, dtype);
        return probe.ElementSize;
    }

    private static InvalidDataException Invalid(string path, string problem) =>
        new($"'{path}' is not a valid TorchSharp weight file: it {problem}.");
}
