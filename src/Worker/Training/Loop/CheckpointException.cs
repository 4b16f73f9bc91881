namespace Asl.Distributed.Training.Loop;

/// <summary>A checkpoint that cannot be read or does not fit the model; the message names the file and the part.</summary>
public sealed class CheckpointException(string path, string message, Exception? inner = null)
    : Exception($"{path}: {message}", inner)
{
    /// <summary>The checkpoint file.</summary>
    public string Path { get; } = path;
}
