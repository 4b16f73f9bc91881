namespace Asl.Distributed.Configuration.Training;

/// <summary>Settings of the generated shapes data set (config section <c>data.synthetic</c>).</summary>
public sealed class SyntheticShapesConfig
{
    /// <summary>Number of classes K.</summary>
    public int Classes { get; set; } = 12;

    /// <summary>Training images to generate.</summary>
    public int TrainImages { get; set; } = 2000;

    /// <summary>Validation images to generate (their annotations are complete).</summary>
    public int ValImages { get; set; } = 500;

    /// <summary>Side of the generated images in pixels.</summary>
    public int ImageSize { get; set; } = 96;

    /// <summary>Fraction of positive training labels left out of the annotations (missing labels).</summary>
    public double MissingLabelFraction { get; set; } = 0.2;

    /// <summary>Seed of the generator (independent of the run's seed, so runs share one data set).</summary>
    public int Seed { get; set; } = 1;

    internal void Validate(string prefix)
    {
        ConfigChecks.InRange(Classes, 2, 36, $"{prefix}.classes");
        ConfigChecks.InRange(TrainImages, 1, 10_000_000, $"{prefix}.train_images");
        ConfigChecks.InRange(ValImages, 1, 10_000_000, $"{prefix}.val_images");
        ConfigChecks.InRange(ImageSize, 16, 1024, $"{prefix}.image_size");
        ConfigChecks.InRange(MissingLabelFraction, 0, 0.95, $"{prefix}.missing_label_fraction");
    }
}
