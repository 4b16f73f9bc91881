using System.Text.Json;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Models;

/// <summary>
/// Reads a safetensors file through PyBridge after checking its header against the file length, because PyBridge
/// trusts the header and a truncated file would otherwise fail deep inside a tensor read.
/// </summary>
internal static class SafetensorsCheckpointReader
{
    /// <summary>True when the file starts like safetensors: an 8-byte header length followed by a JSON object.</summary>
    public static bool LooksLikeSafetensors(ReadOnlySpan<byte> head, long fileLength)
    {
        if (head.Length < 9)
            return false;
        ulong headerLength = BitConverter.ToUInt64(head[..8]);
        return headerLength >= 2 && headerLength <= (ulong)(fileLength - 8) && head[8] == (byte)'{';
    }

    /// <summary>Reads all tensors; they belong to the caller's dispose scope.</summary>
    public static Dictionary<string, Tensor> Read(string path)
    {
        ValidateHeader(path);
        try
        {
            return Safetensors.LoadStateDict(path);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"'{path}' is not a readable safetensors file: {e.Message}", e);
        }
    }

    private static void ValidateHeader(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> prefix = stackalloc byte[8];
        if (stream.Length < 8 || stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8)
            throw Invalid(path, "is shorter than the 8-byte header length");

        ulong headerLength = BitConverter.ToUInt64(prefix);
        if (headerLength > (ulong)(stream.Length - 8))
            throw Invalid(path, $"is truncated: its header declares {headerLength} bytes, the file has {stream.Length - 8} after the length");

        var header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataLength = stream.Length - 8 - (long)headerLength;
        try
        {
            using var document = JsonDocument.Parse(header);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw Invalid(path, "has a header that is not a JSON object");
            foreach (var entry in document.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__")
                    continue;
                if (!entry.Value.TryGetProperty("data_offsets", out var offsets) || offsets.GetArrayLength() != 2)
                    throw Invalid(path, $"has no data_offsets for '{entry.Name}'");
                long end = offsets[1].GetInt64();
                if (end > dataLength)
                    throw Invalid(path, $"is truncated: '{entry.Name}' ends at byte {end} of the data, which has {dataLength}");
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"'{path}' is not a valid safetensors file: its header is malformed ({e.Message}).", e);
        }
    }

    private static InvalidDataException Invalid(string path, string problem) =>
        new($"'{path}' is not a valid safetensors file: it {problem}.");
}
