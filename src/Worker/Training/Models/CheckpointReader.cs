using static TorchSharp.torch;

namespace Asl.Distributed.Training.Models;

/// <summary>Reads a weight file of any supported format into a key → tensor map.</summary>
public static class CheckpointReader
{
    /// <summary>
    /// Reads every tensor of <paramref name="path"/>; the tensors belong to the caller's dispose scope. With
    /// <see cref="WeightFormat.Auto"/> the format is detected from the file's first bytes.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a state dict of the format, or is damaged.</exception>
    public static (Dictionary<string, Tensor> Tensors, WeightFormat Format) Read(string path, WeightFormat format = WeightFormat.Auto)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Weight file '{path}' does not exist.", path);

        var resolved = format == WeightFormat.Auto ? Detect(path) : format;
        var tensors = resolved switch
        {
            WeightFormat.TorchSharp => ReadTorchSharp(path),
            WeightFormat.PyTorch => PyTorchCheckpointReader.Read(path),
            WeightFormat.Safetensors => SafetensorsCheckpointReader.Read(path),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown weight format."),
        };
        return (tensors, resolved);
    }

    /// <summary>Detects the format from the first bytes: zip → PyTorch, length + JSON → safetensors, else TorchSharp.</summary>
    public static WeightFormat Detect(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> head = stackalloc byte[9];
        int read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        head = head[..read];
        if (PyTorchCheckpointReader.LooksLikeZip(head))
            return WeightFormat.PyTorch;
        if (SafetensorsCheckpointReader.LooksLikeSafetensors(head, stream.Length))
            return WeightFormat.Safetensors;
        return WeightFormat.TorchSharp;
    }

    private static Dictionary<string, Tensor> ReadTorchSharp(string path)
    {
        try
        {
            return TorchSharpCheckpointReader.Read(path);
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException or OverflowException or ArgumentException)
        {
            throw new InvalidDataException($"'{path}' is not a valid TorchSharp weight file (damaged or truncated): {e.Message}", e);
        }
    }
}
