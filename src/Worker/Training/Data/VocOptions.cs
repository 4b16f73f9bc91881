namespace Asl.Distributed.Training.Data;

/// <summary>Settings of <see cref="VocDataset"/>.</summary>
public sealed class VocOptions : DataSetReaderOptions
{
    /// <summary>
    /// Leave objects marked <c>difficult</c> out of the labels. Off by default: a difficult object is still in the
    /// picture, so it counts as a positive.
    /// </summary>
    public bool IgnoreDifficult { get; init; }

    /// <summary>The extension of the files under <c>JPEGImages</c>.</summary>
    public string ImageExtension { get; init; } = ".jpg";

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (string.IsNullOrWhiteSpace(ImageExtension) || ImageExtension[0] != '.')
            throw new ArgumentException($"{nameof(ImageExtension)} is '{ImageExtension}'; it must start with a dot, for example '.jpg'.", nameof(ImageExtension));
    }
}
