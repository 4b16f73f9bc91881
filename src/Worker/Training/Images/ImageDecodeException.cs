namespace Asl.Distributed.Training.Images;

/// <summary>
/// An image file could not be read or decoded: it is missing, unreadable, not an image Skia knows, or damaged or
/// truncated. The message and <see cref="FilePath"/> name the file.
/// </summary>
public sealed class ImageDecodeException : Exception
{
    /// <summary>Creates the exception for <paramref name="filePath"/> with the reason in words.</summary>
    public ImageDecodeException(string filePath, string reason, Exception? innerException = null)
        : base($"Cannot decode image '{filePath}': {reason}", innerException)
    {
        FilePath = filePath;
        Reason = reason;
    }

    /// <summary>The file (or the name given for an in-memory image).</summary>
    public string FilePath { get; }

    /// <summary>Why decoding failed, without the file name.</summary>
    public string Reason { get; }
}
