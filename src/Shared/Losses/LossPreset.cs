using Asl.Distributed.Configuration.Schema;

namespace Asl.Distributed.Losses;

/// <summary>Named loss settings (config <c>loss.preset</c>); see <see cref="AsymmetricLossOptions.FromPreset(LossPreset)"/>.</summary>
public enum LossPreset
{
    /// <summary>The official AsymmetricLoss class: γ− 4, γ+ 1, clip 0.05.</summary>
    [ConfigName("asl")] Asl,
    /// <summary>The official COCO training script: γ− 4, γ+ 0, clip 0.05.</summary>
    [ConfigName("asl-coco")] AslCoco,
    /// <summary>Binary cross-entropy: γ− = γ+ = 0, clip 0.</summary>
    [ConfigName("bce")] Bce,
    /// <summary>Focal loss: γ− = γ+ = 2, clip 0.</summary>
    [ConfigName("focal")] Focal,
}
