namespace Asl.Distributed.Training.Loading;

/// <summary>
/// A sample could not be loaded: its message names the image file, the sample's annotation record and the cause
/// (the inner exception, usually an <see cref="Images.ImageDecodeException"/>).
/// </summary>
public sealed class SampleLoadException : Exception
{
    /// <summary>Creates the exception for the sample at <paramref name="sampleIndex"/>.</summary>
    public SampleLoadException(int sampleIndex, string imagePath, string record, Exception innerException)
        : base($"Cannot load sample {sampleIndex} ({record}) from '{imagePath}': {innerException?.Message}", innerException)
    {
        SampleIndex = sampleIndex;
        ImagePath = imagePath;
        Record = record;
    }

    /// <summary>The sample's index in the data set.</summary>
    public int SampleIndex { get; }

    /// <summary>The image file.</summary>
    public string ImagePath { get; }

    /// <summary>The sample's annotation record (for example "image id 139").</summary>
    public string Record { get; }
}
