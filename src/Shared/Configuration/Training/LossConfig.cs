using Asl.Distributed.Losses;

namespace Asl.Distributed.Configuration.Training;

/// <summary>
/// The loss (config section <c>loss</c>): a preset (asl, asl-coco, bce, focal) with any setting overridden by
/// name. The resolved settings, not the preset name, are what a run records.
/// </summary>
public sealed class LossConfig
{
    public string Preset { get; set; } = "asl-coco";

    public double? GammaNeg { get; set; }

    public double? GammaPos { get; set; }

    public double? Clip { get; set; }

    public double? Eps { get; set; }

    public bool? DisableTorchGradFocalLoss { get; set; }

    public string? Reduction { get; set; }

    /// <summary>Present to let γ− adapt towards a target probability gap.</summary>
    public AdaptiveAsymmetryConfig? Adaptive { get; set; }

    /// <summary>The validated loss options this section describes.</summary>
    public AsymmetricLossOptions ToOptions(string prefix = "loss")
    {
        var preset = AsymmetricLossOptions.FromPreset(Preset, $"{prefix}.preset");
        return (preset with
        {
            GammaNeg = GammaNeg ?? preset.GammaNeg,
            GammaPos = GammaPos ?? preset.GammaPos,
            Clip = Clip ?? preset.Clip,
            Eps = Eps ?? preset.Eps,
            DisableTorchGradFocalLoss = DisableTorchGradFocalLoss ?? preset.DisableTorchGradFocalLoss,
            Reduction = Reduction is null ? preset.Reduction : LossReductionNames.Parse(Reduction, $"{prefix}.reduction"),
            Adaptive = Adaptive?.ToOptions(),
        }).Validate(prefix);
    }
}
