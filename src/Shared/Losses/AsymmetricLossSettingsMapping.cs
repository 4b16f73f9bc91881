using Asl.Distributed.Configuration;
using Wire = Asl.Distributed.Contracts.V1;

namespace Asl.Distributed.Losses;

/// <summary>Converts loss options to and from their wire form, so every trial ships and records explicit settings.</summary>
public static class AsymmetricLossSettingsMapping
{
    /// <summary>The wire form of validated options; every field is written, defaults included.</summary>
    public static Wire.AsymmetricLossSettings ToContract(this AsymmetricLossOptions options) => new()
    {
        GammaNeg = options.GammaNeg,
        GammaPos = options.GammaPos,
        Clip = options.Clip,
        Eps = options.Eps,
        DisableTorchGradFocalLoss = options.DisableTorchGradFocalLoss,
        Reduction = options.Reduction switch
        {
            LossReduction.Sum => Wire.LossReduction.Sum,
            LossReduction.Mean => Wire.LossReduction.Mean,
            LossReduction.BatchMean => Wire.LossReduction.Batchmean,
            LossReduction.None => Wire.LossReduction.None,
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Reduction, "unknown reduction"),
        },
        Adaptive = options.Adaptive is null ? null : new Wire.AdaptiveAsymmetrySettings
        {
            Lambda = options.Adaptive.Lambda,
            TargetProbGap = options.Adaptive.TargetProbGap,
            GammaNegMin = options.Adaptive.GammaNegMin,
            GammaNegMax = options.Adaptive.GammaNegMax,
        },
    };

    /// <summary>
    /// Options from a received message, validated; an unspecified reduction or an out-of-range value fails with a
    /// <see cref="ConfigException"/> naming the field, so a malformed message never reaches a loss.
    /// </summary>
    public static AsymmetricLossOptions ToOptions(this Wire.AsymmetricLossSettings message, string prefix = "loss") => new AsymmetricLossOptions
    {
        GammaNeg = message.GammaNeg,
        GammaPos = message.GammaPos,
        Clip = message.Clip,
        Eps = message.Eps,
        DisableTorchGradFocalLoss = message.DisableTorchGradFocalLoss,
        Reduction = message.Reduction switch
        {
            Wire.LossReduction.Sum => LossReduction.Sum,
            Wire.LossReduction.Mean => LossReduction.Mean,
            Wire.LossReduction.Batchmean => LossReduction.BatchMean,
            Wire.LossReduction.None => LossReduction.None,
            _ => throw new ConfigException($"{prefix}.reduction", $"'{message.Reduction}' is not a reduction; allowed: {string.Join(", ", LossReductionNames.All)}"),
        },
        Adaptive = message.Adaptive is null ? null : new AdaptiveAsymmetryOptions
        {
            Lambda = message.Adaptive.Lambda,
            TargetProbGap = message.Adaptive.TargetProbGap,
            GammaNegMin = message.Adaptive.GammaNegMin,
            GammaNegMax = message.Adaptive.GammaNegMax,
        },
    }.Validate(prefix);
}
