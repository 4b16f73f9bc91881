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
    /// <summary>An optional section whose presence turns a feature on.</summary>
    Section,
}
