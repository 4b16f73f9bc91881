using Asl.Distributed.Configuration.Schema;

namespace Asl.Distributed.Configuration.Training;

/// <summary>Settings of the generated shapes data set (config section <c>data.synthetic</c>).</summary>
public sealed class SyntheticShapesConfig
{
    [Setting("Number of classes (shape × colour).", Min = 2, Max = 36)]
    public int Classes { get; set; } = 12;

    [Setting("Training images to generate.", Min = 1, Max = 10_000_000)]
    public int TrainImages { get; set; } = 2000;

    [Setting("Validation images to generate (their annotations are complete).", Min = 1, Max = 10_000_000)]
    public int ValImages { get; set; } = 500;

    [Setting("Side of the generated images in pixels.", Min = 16, Max = 1024)]
    public int ImageSize { get; set; } = 96;

    [Setting("Fraction of positive training labels left out of the annotations (missing labels).", Min = 0, Max = 0.95)]
    public double MissingLabelFraction { get; set; } = 0.2;

    [Setting("Seed of the generator (independent of the run's seed, so runs share one data set).")]
    public int Seed { get; set; } = 1;
}
