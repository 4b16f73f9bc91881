using Asl.Distributed.Configuration.Training;

namespace Asl.Distributed.Training.Data;

/// <summary>
/// Settings of <see cref="SyntheticShapesDataset"/>. The defaults (12 classes, 2,000 train and 500 val images of
/// 96×96, 1–4 objects each, tail exponent 1) aim at a set small enough for a small CNN to train on in a few minutes
/// on two CPU cores (an epoch is 2,000 images of 96×96) while still being long-tailed (the rarest class is in about
/// a ninth as many images as the commonest: 6.5% against 58%) and needing both shape and colour to tell classes
/// apart. Generation takes a few seconds.
/// </summary>
/// <remarks>The settings a config sets (<c>data.synthetic</c>) take their defaults and ranges from that section.</remarks>
public sealed record SyntheticShapesOptions
{
    private static readonly SyntheticShapesConfig Defaults = new();

    /// <summary>Six shapes times six colours.</summary>
    public const int MaxClassCount = 36;

    /// <summary>K, the number of classes (2 to <see cref="MaxClassCount"/>, six shapes times six colours).</summary>
    public int ClassCount { get; init; } = Defaults.Classes;

    /// <summary>Images under <c>train/</c>.</summary>
    public int TrainImages { get; init; } = Defaults.TrainImages;

    /// <summary>Images under <c>val/</c>.</summary>
    public int ValImages { get; init; } = Defaults.ValImages;

    /// <summary>Width and height of every image in pixels (16 to 1024).</summary>
    public int ImageSize { get; init; } = Defaults.ImageSize;

    /// <summary>Fewest objects drawn in one image.</summary>
    public int MinObjects { get; init; } = 1;

    /// <summary>Most objects drawn in one image.</summary>
    public int MaxObjects { get; init; } = 4;

    /// <summary>a in the class weight 1/(c+1)^a of each drawn object; 0 gives balanced classes.</summary>
    public double TailExponent { get; init; } = 1.0;

    /// <summary>
    /// Fraction of the training set's positive labels left out of <c>instances_train.json</c> (every annotation
    /// of that class in that image is dropped), never an image's last label, so every training image stays
    /// annotated; validation labels are always complete.
    /// </summary>
    public double MissingLabelFraction { get; init; } = Defaults.MissingLabelFraction;

    /// <summary>The seed; the same seed and settings give byte-identical files.</summary>
    public long Seed { get; init; } = Defaults.Seed;

    /// <summary>JPEG quality, 1 to 100.</summary>
    public int JpegQuality { get; init; } = 90;

    /// <summary>Largest per-channel pixel noise added over the whole image (0 to 128).</summary>
    public int NoiseAmplitude { get; init; } = 24;

    /// <summary>Threads that render images; -1 uses every core.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>A set for tests: 6 classes, 32 train and 8 val images of 32×32.</summary>
    public static SyntheticShapesOptions Tiny { get; } = new() { ClassCount = 6, TrainImages = 32, ValImages = 8, ImageSize = 32, MissingLabelFraction = 0, Seed = 0 };

    /// <summary>Throws when a setting is out of range, naming it and the allowed values.</summary>
    public void Validate()
    {
        Key("classes").Require(ClassCount, nameof(ClassCount));
        Check(TrainImages >= 0, nameof(TrainImages), TrainImages, "0 or more");
        Check(ValImages >= 0, nameof(ValImages), ValImages, "0 or more");
        Key("image_size").Require(ImageSize, nameof(ImageSize));
        Check(MinObjects >= 1, nameof(MinObjects), MinObjects, "1 or more");
        Check(MaxObjects >= MinObjects && MaxObjects <= 32, nameof(MaxObjects), MaxObjects, $"{MinObjects} ({nameof(MinObjects)}) to 32");
        Check(TailExponent is >= 0 and <= 10, nameof(TailExponent), TailExponent, "0 to 10");
        Key("missing_label_fraction").Require(MissingLabelFraction, nameof(MissingLabelFraction));
        Check(JpegQuality is >= 1 and <= 100, nameof(JpegQuality), JpegQuality, "1 to 100");
        Check(NoiseAmplitude is >= 0 and <= 128, nameof(NoiseAmplitude), NoiseAmplitude, "0 to 128");
        Check(MaxDegreeOfParallelism == -1 || MaxDegreeOfParallelism >= 1, nameof(MaxDegreeOfParallelism), MaxDegreeOfParallelism, "-1 or 1 and more");
    }

    private static Configuration.Schema.SettingKey Key(string name) => TrainingConfig.Schema.Find($"data.synthetic.{name}")!;

    private static void Check(bool valid, string name, object value, string allowed)
    {
        if (!valid)
            throw new ArgumentException($"{name} is {value}; allowed: {allowed}.", name);
    }
}
