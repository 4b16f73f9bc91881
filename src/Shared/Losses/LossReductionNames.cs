using Asl.Distributed.Configuration.Schema;

namespace Asl.Distributed.Losses;

/// <summary>The config spellings of <see cref="LossReduction"/>: sum, mean, batchmean, none.</summary>
public static class LossReductionNames
{
    /// <summary>Every accepted spelling, in documentation order.</summary>
    public static IReadOnlyList<string> All => ConfigNames.Of<LossReduction>();

    /// <summary>Parses a config value in any case; <paramref name="field"/> names the setting in the error.</summary>
    public static LossReduction Parse(string value, string field) => ConfigNames.Parse<LossReduction>(value, field);

    /// <summary>The config spelling of a reduction.</summary>
    public static string ToName(this LossReduction reduction) => ConfigNames.ToName(reduction);
}
