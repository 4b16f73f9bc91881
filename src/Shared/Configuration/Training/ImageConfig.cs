using Asl.Distributed.Configuration.Schema;

namespace Asl.Distributed.Configuration.Training;

/// <summary>
/// Input size and augmentation (config section <c>image</c>). Defaults follow the official COCO script: squish
/// resize, Cutout of half the side, RandAugment, no flip, pixels in [0, 1] without mean/std.
/// </summary>
public sealed class ImageConfig
{
    [Setting("Side of the square network input (224 for TResNet-M, 448 for TResNet-L).", Min = 16, Max = 2048)]
    public int Size { get; set; } = 224;

    [Setting("Cutout of half the side at a random centre with a random colour.")]
    public bool Cutout { get; set; } = true;

    [Setting("RandAugment operations per image; 0 turns RandAugment off.", Min = 0, Max = 14)]
    public int RandaugmentN { get; set; } = 2;

    [Setting("RandAugment magnitude.", Min = 0, Max = 30)]
    public int RandaugmentM { get; set; } = 9;

    [Setting("Random horizontal flip with probability 0.5 (not in the official recipe).")]
    public bool Flip { get; set; }

    [Setting("Per-channel (R, G, B) mean to subtract after scaling to [0, 1]; empty for none.")]
    public List<double> Mean { get; set; } = [];

    [Setting("Per-channel (R, G, B) standard deviation to divide by; empty for none.")]
    public List<double> Std { get; set; } = [];

    internal void Validate(List<ConfigProblem> problems)
    {
        if (Mean.Count != Std.Count || (Mean.Count != 0 && Mean.Count != 3))
            problems.Add(new ConfigProblem("image.mean", $"mean has {Mean.Count} values and std {Std.Count}; allowed: both empty or both 3 values"));
        for (int c = 0; c < Std.Count; c++)
        {
            if (!(Std[c] > 0))
                problems.Add(new ConfigProblem($"image.std[{c}]", $"{SettingKey.Format(Std[c])} is out of range; allowed: a finite number > 0"));
        }
    }
}
