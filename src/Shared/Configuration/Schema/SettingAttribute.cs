namespace Asl.Distributed.Configuration.Schema;

/// <summary>
/// Marks a config property as a setting of the key schema: its one-line description and, for numbers, its range.
/// The default is the property's initial value; <see cref="Default"/> replaces it in the key table where the
/// default comes from elsewhere (a preset). Ranges are written here once and nowhere else.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SettingAttribute(string description) : Attribute
{
    /// <summary>One line for the key table, the JSON Schema and the README.</summary>
    public string Description { get; } = description;

    /// <summary>Smallest allowed value (NaN: no lower bound).</summary>
    public double Min { get; init; } = double.NaN;

    /// <summary>Largest allowed value (NaN: no upper bound).</summary>
    public double Max { get; init; } = double.NaN;

    /// <summary>Whether <see cref="Min"/> itself is excluded.</summary>
    public bool MinExclusive { get; init; }

    /// <summary>Whether <see cref="Max"/> itself is excluded.</summary>
    public bool MaxExclusive { get; init; }

    /// <summary>How the default reads in the key table, where it is not the property's initial value.</summary>
    public string? Default { get; init; }
}
