using System.Collections;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Models;

/// <summary>
/// Reads a PyTorch <c>torch.save</c> file through PyBridge. Accepts a bare state dict or a training checkpoint that
/// nests it under <c>state_dict</c> or <c>model</c> (the ASL repository's layout), and drops the <c>module.</c>
/// prefix that DistributedDataParallel adds.
/// </summary>
internal static class PyTorchCheckpointReader
{
    private static readonly string[] _nestedKeys = ["state_dict", "model", "module"];

    /// <summary>True when the file starts with a zip local-file header, as every modern <c>torch.save</c> file does.</summary>
    public static bool LooksLikeZip(ReadOnlySpan<byte> head) =>
        head.Length >= 4 && head[0] == 0x50 && head[1] == 0x4b && head[2] == 0x03 && head[3] == 0x04;

    /// <summary>Reads all tensors; they belong to the caller's dispose scope.</summary>
    public static Dictionary<string, Tensor> Read(string path)
    {
        Hashtable table;
        using (var stream = File.OpenRead(path))
        {
            Span<byte> head = stackalloc byte[4];
            if (stream.ReadAtLeast(head, 4, throwOnEndOfStream: false) < 4 || !LooksLikeZip(head))
            {
                throw new InvalidDataException(
                    $"'{path}' is not a PyTorch state dict: it is not a zip archive (files from torch.save before " +
                    "PyTorch 1.6 must be re-saved with the current format).");
            }

            stream.Position = 0;
            try
            {
                table = PyTorchUnpickler.UnpickleStateDict(stream);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new InvalidDataException(
                    $"'{path}' is not a readable PyTorch state dict (damaged, truncated, or a whole pickled model): {e.Message}", e);
            }
        }

        var tensors = TensorsOf(table);
        if (tensors.Count == 0)
        {
            foreach (var nestedKey in _nestedKeys)
            {
                if (table[nestedKey] is IDictionary nested)
                {
                    tensors = TensorsOf(nested);
                    break;
                }
            }
        }

        if (tensors.Count == 0)
            throw new InvalidDataException($"'{path}' holds no tensors at its top level or under {string.Join("/", _nestedKeys)}; it is not a state dict.");
        return StripPrefix(tensors, "module.");
    }

    private static Dictionary<string, Tensor> TensorsOf(IDictionary table)
    {
        var result = new Dictionary<string, Tensor>();
        foreach (DictionaryEntry entry in table)
        {
            if (entry.Key is string key && entry.Value is Tensor tensor)
                result[key] = tensor;
        }

        return result;
    }

    private static Dictionary<string, Tensor> StripPrefix(Dictionary<string, Tensor> tensors, string prefix)
    {
        if (!tensors.Keys.All(k => k.StartsWith(prefix, StringComparison.Ordinal)))
            return tensors;
        return tensors.ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
    }
}
