namespace Asl.Distributed.Training.Data;

/// <summary>Settings of <see cref="CocoDataset"/>.</summary>
public sealed class CocoOptions : DataSetReaderOptions
{
    /// <summary>
    /// Keep images that have no annotation, as all-negative samples. Off by default, as in the official ASL
    /// script, which indexes only annotated images (82,081 of COCO 2014 train).
    /// </summary>
    public bool IncludeImagesWithoutAnnotations { get; init; }
}
