using Asl.Distributed.Configuration;

namespace Asl.Distributed.Losses;

/// <summary>The config spellings of <see cref="LossReduction"/>: sum, mean, batchmean, none.</summary>
public static class LossReductionNames
{
    /// <summary>Every accepted spelling, in documentation order.</summary>
    public static readonly IReadOnlyList<string> All = ["sum", "mean", "batchmean", "none"];

    /// <summary>Parses a config value; <paramref name="field"/> names the setting in the error.</summary>
    public static LossReduction Parse(string value, string field) => value.Trim().ToLowerInvariant() switch
    {
        "sum" => LossReduction.Sum,
        "mean" => LossReduction.Mean,
        "batchmean" => LossReduction.BatchMean,
        "none" => LossReduction.None,
        _ => throw new ConfigException(field, $"'{value}' is not a reduction; allowed: {string.Join(", ", All)}"),
    };

    /// <summary>The config spelling of a reduction.</summary>
    public static string ToName(this LossReduction reduction) => reduction switch
    {
        LossReduction.Sum => "sum",
        LossReduction.Mean => "mean",
        LossReduction.BatchMean => "batchmean",
        LossReduction.None => "none",
        _ => throw new ArgumentOutOfRangeException(nameof(reduction), reduction, null),
    };
}
