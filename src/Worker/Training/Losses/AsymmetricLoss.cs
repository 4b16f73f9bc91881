using Asl.Distributed.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Losses;

/// <summary>
/// The multi-label asymmetric loss (Ben-Baruch, Ridnik et al., ICCV 2021) as a module. Defaults equal the official
/// <c>AsymmetricLoss</c> class; presets in <see cref="AsymmetricLossOptions"/> give BCE, focal and the COCO script's
/// setting. With adaptive asymmetry attached, every call reads the controller's current γ−.
/// </summary>
public sealed class AsymmetricLoss : nn.Module<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the loss; the options are validated here so a bad setting fails before training starts.</summary>
    public AsymmetricLoss(
        AsymmetricLossOptions? options = null,
        AsymmetricLossImplementation implementation = AsymmetricLossImplementation.Auto,
        AdaptiveAsymmetry? adaptive = null)
        : base(nameof(AsymmetricLoss))
    {
        Options = (options ?? AsymmetricLossOptions.Official).Validate();
        Implementation = implementation;
        Adaptive = adaptive;
    }

    /// <summary>The configured settings.</summary>
    public AsymmetricLossOptions Options { get; }

    /// <summary>Which computation runs.</summary>
    public AsymmetricLossImplementation Implementation { get; }

    /// <summary>The adaptive-asymmetry controller whose γ− this loss uses, if any.</summary>
    public AdaptiveAsymmetry? Adaptive { get; }

    /// <summary>The γ− the next call will use.</summary>
    public double GammaNeg => Adaptive?.GammaNeg ?? Options.GammaNeg;

    /// <summary>The settings of the next call.</summary>
    public AsymmetricLossSettings Settings => AsymmetricLossSettings.From(Options, GammaNeg);

    /// <summary>Loss of <paramref name="logits"/> against <paramref name="targets"/> of the same shape.</summary>
    public override Tensor forward(Tensor logits, Tensor targets)
    {
        var settings = Settings;
        bool fused = Implementation switch
        {
            AsymmetricLossImplementation.Fused => true,
            AsymmetricLossImplementation.Composite => false,
            _ => AsymmetricLossFused.Supports(logits),
        };
        return fused
            ? AsymmetricLossFused.Compute(logits, targets, settings)
            : AsymmetricLossComposite.Compute(logits, targets, settings);
    }
}
