namespace Asl.Distributed.Configuration.Training;

/// <summary>
/// Input size and augmentation (config section <c>image</c>). Defaults follow the official COCO script: squish
/// resize, Cutout of half the side, RandAugment, no flip, pixels in [0, 1] without mean/std.
/// </summary>
public sealed class ImageConfig
{
    /// <summary>Side of the square network input (224 for TResNet-M, 448 for TResNet-L).</summary>
    public int Size { get; set; } = 224;

    /// <summary>Cutout of half the side at a random centre with a random colour.</summary>
    public bool Cutout { get; set; } = true;

    /// <summary>RandAugment operations per image; 0 turns RandAugment off.</summary>
    public int RandaugmentN { get; set; } = 2;

    /// <summary>RandAugment magnitude, 0–30.</summary>
    public int RandaugmentM { get; set; } = 9;

    /// <summary>Random horizontal flip with probability 0.5.</summary>
    public bool Flip { get; set; }

    /// <summary>Per-channel mean to subtract after scaling to [0, 1]; empty for none.</summary>
    public List<double> Mean { get; set; } = [];

    /// <summary>Per-channel standard deviation to divide by; empty for none.</summary>
    public List<double> Std { get; set; } = [];

    internal void Validate(string prefix)
    {
        ConfigChecks.InRange(Size, 16, 2048, $"{prefix}.size");
        ConfigChecks.InRange(RandaugmentN, 0, 14, $"{prefix}.randaugment_n");
        ConfigChecks.InRange(RandaugmentM, 0, 30, $"{prefix}.randaugment_m");
        if (Mean.Count != Std.Count || (Mean.Count != 0 && Mean.Count != 3))
            throw new ConfigException($"{prefix}.mean", $"mean has {Mean.Count} values and std {Std.Count}; allowed: both empty or both 3 values");
        for (int c = 0; c < Std.Count; c++)
            ConfigChecks.Positive(Std[c], $"{prefix}.std[{c}]");
    }
}
