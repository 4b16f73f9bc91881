namespace Asl.Distributed.Configuration.Schema;

/// <summary>What kind of value a setting holds.</summary>
public enum SettingKind
{
    /// <summary>true or false.</summary>
    Boolean,
    /// <summary>A whole number.</summary>
    Integer,
    /// <summary>A finite real number.</summary>
    Number,
    /// <summary>Free text (paths, names).</summary>
    Text,
    /// <summary>One of a closed set of names (an enum).</summary>
    Choice,
    /// <summary>A list of finite numbers.</summary>
    NumberList,
    /// <summary>A value with its own syntax, read by its type (an <see cref="IParsedSetting{TSelf}"/>, such as a device).</summary>
    Parsed,
    /// <summary>An optional section whose presence turns a feature on.</summary>
    Section,
}
