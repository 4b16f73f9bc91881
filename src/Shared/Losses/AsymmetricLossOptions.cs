using Asl.Distributed.Configuration;
using Asl.Distributed.Configuration.Schema;

namespace Asl.Distributed.Losses;

/// <summary>
/// Settings of the multi-label asymmetric loss, named as in the paper and the official code. The defaults equal
/// the official <c>AsymmetricLoss</c> class: gamma_neg 4, gamma_pos 1, clip 0.05, eps 1e-8, weight detached, sum.
/// </summary>
public sealed record AsymmetricLossOptions
{
    /// <summary>γ−: focusing exponent of the negatives (config <c>gamma_neg</c>).</summary>
    public double GammaNeg { get; init; } = 4;

    /// <summary>γ+: focusing exponent of the positives (config <c>gamma_pos</c>).</summary>
    public double GammaPos { get; init; } = 1;

    /// <summary>m: probability margin that shifts the negatives' probability down (config <c>clip</c>).</summary>
    public double Clip { get; init; } = 0.05;

    /// <summary>Lower clamp of the log terms' arguments (config <c>eps</c>).</summary>
    public double Eps { get; init; } = 1e-8;

    /// <summary>
    /// When true the focusing weight is a constant in the backward pass, as in the official class
    /// (config <c>disable_torch_grad_focal_loss</c>).
    /// </summary>
    public bool DisableTorchGradFocalLoss { get; init; } = true;

    /// <summary>How per-label values are reduced (config <c>reduction</c>).</summary>
    public LossReduction Reduction { get; init; } = LossReduction.Sum;

    /// <summary>When set, γ− adapts during training towards a target probability gap.</summary>
    public AdaptiveAsymmetryOptions? Adaptive { get; init; }

    /// <summary>The official <c>AsymmetricLoss</c> defaults.</summary>
    public static AsymmetricLossOptions Official => new();

    /// <summary>Binary cross-entropy: γ− = γ+ = 0, no margin.</summary>
    public static AsymmetricLossOptions Bce => new() { GammaNeg = 0, GammaPos = 0, Clip = 0 };

    /// <summary>Focal loss with one γ for both sides and no margin.</summary>
    public static AsymmetricLossOptions Focal(double gamma = 2) => new() { GammaNeg = gamma, GammaPos = gamma, Clip = 0 };

    /// <summary>The official COCO training script: γ− = 4, γ+ = 0, clip 0.05, weight detached.</summary>
    public static AsymmetricLossOptions AslCoco => new() { GammaNeg = 4, GammaPos = 0, Clip = 0.05 };

    /// <summary>Names accepted by <see cref="FromPreset(string, string)"/>, in their canonical spelling.</summary>
    public static IReadOnlyList<string> PresetNames => ConfigNames.Of<LossPreset>();

    /// <summary>The settings of a preset: <c>asl</c>, <c>asl-coco</c>, <c>bce</c> or <c>focal</c> (γ = 2).</summary>
    public static AsymmetricLossOptions FromPreset(LossPreset preset) => preset switch
    {
        LossPreset.Asl => Official,
        LossPreset.AslCoco => AslCoco,
        LossPreset.Bce => Bce,
        LossPreset.Focal => Focal(),
        _ => throw new ArgumentOutOfRangeException(nameof(preset), preset, "not a loss preset"),
    };

    /// <summary>A preset by name, in any case; the error names <paramref name="field"/> and the presets.</summary>
    public static AsymmetricLossOptions FromPreset(string name, string field = "loss.preset") =>
        FromPreset(ConfigNames.Parse<LossPreset>(name, field));

    /// <summary>
    /// Throws a <see cref="ConfigException"/> listing every setting out of range, with the ranges of the
    /// <c>loss</c> config section (they are defined there once).
    /// </summary>
    public AsymmetricLossOptions Validate(string prefix = "loss")
    {
        var problems = new List<ConfigProblem>();
        LossKeys.Check(problems, prefix, "gamma_neg", GammaNeg);
        LossKeys.Check(problems, prefix, "gamma_pos", GammaPos);
        LossKeys.Check(problems, prefix, "clip", Clip);
        LossKeys.Check(problems, prefix, "eps", Eps);
        LossKeys.Check(problems, prefix, "reduction", Reduction);
        if (Adaptive is not null)
            problems.AddRange(Adaptive.Problems(GammaNeg, $"{prefix}.adaptive"));
        return problems.Count == 0 ? this : throw new ConfigException(problems);
    }
}
