using Asl.Distributed.Configuration.Schema;
using Asl.Distributed.Losses;

namespace Asl.Distributed.Configuration.Training;

/// <summary>
/// The loss (config section <c>loss</c>): a preset (asl, asl-coco, bce, focal) with any setting overridden by
/// name. The resolved settings, not only the preset name, are what a run records. The ranges here are the only
/// ones: <see cref="AsymmetricLossOptions"/> checks against them.
/// </summary>
public sealed class LossConfig
{
    private const string FromPreset = "from loss.preset";

    [Setting("Named settings to start from: asl (4, 1, 0.05), asl-coco (4, 0, 0.05), bce (0, 0, 0), focal (2, 2, 0).")]
    public LossPreset Preset { get; set; } = LossPreset.AslCoco;

    [Setting("γ−: focusing exponent of the negatives.", Min = 0, Default = FromPreset)]
    public double? GammaNeg { get; set; }

    [Setting("γ+: focusing exponent of the positives.", Min = 0, Default = FromPreset)]
    public double? GammaPos { get; set; }

    [Setting("m: probability margin; negatives with p ≤ m get no loss (official 'clip').", Min = 0, Max = 1, MaxExclusive = true, Default = FromPreset)]
    public double? Clip { get; set; }

    [Setting("Lower clamp of the log terms' arguments.", Min = 0, Max = 0.5, MinExclusive = true, MaxExclusive = true, Default = FromPreset)]
    public double? Eps { get; set; }

    [Setting("Treat the focusing weight as a constant in backward, as the official class.", Default = FromPreset)]
    public bool? DisableTorchGradFocalLoss { get; set; }

    [Setting("sum (official), mean, batchmean (sum / batch size) or none.", Default = FromPreset)]
    public LossReduction? Reduction { get; set; }

    [Setting("Present to let γ− adapt towards a target probability gap.")]
    public AdaptiveAsymmetryConfig? Adaptive { get; set; }

    /// <summary>The loss options this section describes (validated).</summary>
    public AsymmetricLossOptions ToOptions(string prefix = "loss") => Resolve().Validate(prefix);

    /// <summary>This section with every preset value written out (what a run records).</summary>
    public LossConfig Resolved()
    {
        var o = Resolve();
        return new LossConfig
        {
            Preset = Preset,
            GammaNeg = o.GammaNeg,
            GammaPos = o.GammaPos,
            Clip = o.Clip,
            Eps = o.Eps,
            DisableTorchGradFocalLoss = o.DisableTorchGradFocalLoss,
            Reduction = o.Reduction,
            Adaptive = Adaptive,
        };
    }

    private AsymmetricLossOptions Resolve()
    {
        var preset = AsymmetricLossOptions.FromPreset(Preset);
        return preset with
        {
            GammaNeg = GammaNeg ?? preset.GammaNeg,
            GammaPos = GammaPos ?? preset.GammaPos,
            Clip = Clip ?? preset.Clip,
            Eps = Eps ?? preset.Eps,
            DisableTorchGradFocalLoss = DisableTorchGradFocalLoss ?? preset.DisableTorchGradFocalLoss,
            Reduction = Reduction ?? preset.Reduction,
            Adaptive = Adaptive?.ToOptions(),
        };
    }
}
