using Asl.Distributed.Configuration.Training;

namespace Asl.Distributed.Training.Images;

/// <summary>
/// Settings of the image pipeline. The defaults are the official ASL COCO recipe at 224: squish resize, Cutout of
/// half the side, RandAugment (torchvision's N = 2, M = 9), no flip, pixels in [0, 1] with no normalisation.
/// <see cref="Validate"/> runs when an <see cref="ImagePipeline"/> is built, so a bad setting fails before any image
/// is read. Defaults and ranges of the settings a config sets are those of its <c>image</c> section.
/// </summary>
public sealed record ImagePipelineOptions
{
    private static readonly ImageConfig Defaults = new();

    /// <summary>S: images become S × S (224 for TResNet-M, 448 for TResNet-L).</summary>
    public int ImageSize { get; init; } = Defaults.Size;

    /// <summary>Whether the train variant applies Cutout.</summary>
    public bool Cutout { get; init; } = Defaults.Cutout;

    /// <summary>Cutout side as a fraction of the image side (official: 0.5).</summary>
    public double CutoutFactor { get; init; } = Images.Cutout.DefaultFactor;

    /// <summary>RandAugment's N, operations per image; 0 turns RandAugment off.</summary>
    public int RandAugmentOps { get; init; } = Defaults.RandaugmentN;

    /// <summary>RandAugment's M, the magnitude bin 0…30.</summary>
    public int RandAugmentMagnitude { get; init; } = Defaults.RandaugmentM;

    /// <summary>Whether the train variant flips horizontally with probability ½ (not in the official recipe).</summary>
    public bool HorizontalFlip { get; init; } = Defaults.Flip;

    /// <summary>Per-channel mean (R, G, B) for normalisation, or null for none (the official recipe).</summary>
    public IReadOnlyList<float>? Mean { get; init; }

    /// <summary>Per-channel standard deviation (R, G, B); given exactly when <see cref="Mean"/> is.</summary>
    public IReadOnlyList<float>? Std { get; init; }

    /// <summary>The official COCO recipe at <paramref name="imageSize"/> (224 or 448).</summary>
    public static ImagePipelineOptions OfficialCoco(int imageSize = 224) => new() { ImageSize = imageSize };

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid field and its allowed values.</summary>
    public void Validate()
    {
        TrainingConfig.Schema.Find("image.size")!.Require(ImageSize, nameof(ImageSize));
        if (!(CutoutFactor >= 0 && CutoutFactor <= 1))
            throw new ArgumentException($"{nameof(CutoutFactor)} must be in [0, 1] (got {CutoutFactor}).");
        TrainingConfig.Schema.Find("image.randaugment_n")!.Require(RandAugmentOps, nameof(RandAugmentOps));
        TrainingConfig.Schema.Find("image.randaugment_m")!.Require(RandAugmentMagnitude, nameof(RandAugmentMagnitude));
        if ((Mean is null) != (Std is null))
            throw new ArgumentException($"{nameof(Mean)} and {nameof(Std)} must both be set (3 values each) or both be null.");
        if (Mean is not null && (Mean.Count != 3 || Std!.Count != 3))
            throw new ArgumentException($"{nameof(Mean)} and {nameof(Std)} need 3 values each (R, G, B).");
        if (Std is not null && Std.Any(s => !(s > 0) || !float.IsFinite(s)))
            throw new ArgumentException($"Every {nameof(Std)} value must be finite and > 0.");
        if (Mean is not null && Mean.Any(m => !float.IsFinite(m)))
            throw new ArgumentException($"Every {nameof(Mean)} value must be finite.");
    }
}
