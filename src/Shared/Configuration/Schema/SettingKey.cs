using System.Globalization;
using System.Reflection;

namespace Asl.Distributed.Configuration.Schema;

/// <summary>
/// One dotted key of a config schema (<c>loss.gamma_neg</c>): its kind, default, range or allowed values and
/// description, and how to read and write it on a config object. Range and allowed values live here only: the
/// loader, overrides, programmatic validation and sweep checks all ask the key.
/// </summary>
public sealed class SettingKey
{
    private readonly PropertyInfo[] _chain;

    internal SettingKey(string path, PropertyInfo[] chain, SettingKind kind, Type valueType, bool optional, SettingAttribute attribute, string defaultText)
    {
        Path = path;
        _chain = chain;
        Kind = kind;
        ValueType = valueType;
        Optional = optional;
        Description = attribute.Description;
        Min = double.IsNaN(attribute.Min) ? null : attribute.Min;
        Max = double.IsNaN(attribute.Max) ? null : attribute.Max;
        MinExclusive = attribute.MinExclusive;
        MaxExclusive = attribute.MaxExclusive;
        Default = attribute.Default ?? defaultText;
        AllowedValues = kind == SettingKind.Choice ? ConfigNames.Of(valueType) : [];
        ParsedType = kind == SettingKind.Parsed ? ParsedSettings.Of(valueType) : null;
    }

    /// <summary>The dotted path, as written in overrides and errors.</summary>
    public string Path { get; }

    /// <summary>The last part of <see cref="Path"/>, as written in a YAML section.</summary>
    public string Name => Path[(Path.LastIndexOf('.') + 1)..];

    public SettingKind Kind { get; }

    /// <summary>The property's type without <see cref="Nullable{T}"/> (the enum type for choices).</summary>
    public Type ValueType { get; }

    /// <summary>Whether null (no value) is allowed.</summary>
    public bool Optional { get; }

    /// <summary>The default as text, in the config's own spelling.</summary>
    public string Default { get; }

    /// <summary>One line saying what the setting does.</summary>
    public string Description { get; }

    public double? Min { get; }

    public double? Max { get; }

    public bool MinExclusive { get; }

    public bool MaxExclusive { get; }

    /// <summary>The canonical spellings of a choice, in declaration order; empty for other kinds.</summary>
    public IReadOnlyList<string> AllowedValues { get; }

    /// <summary>The syntax of a <see cref="SettingKind.Parsed"/> value; null for other kinds.</summary>
    internal IParsedSettingType? ParsedType { get; }

    /// <summary>The allowed values in words: <c>a number in [0, 1)</c>, <c>one of: sum, mean</c>, <c>true or false</c>.</summary>
    public string Allowed => Kind switch
    {
        SettingKind.Boolean => "true or false",
        SettingKind.Integer => "an integer" + RangeText(),
        SettingKind.Number => "a finite number" + RangeText(),
        SettingKind.NumberList => "a list of finite numbers, for example [0.5, 0.5, 0.5]",
        SettingKind.Choice => "one of: " + string.Join(", ", AllowedValues),
        SettingKind.Section => "a section (present turns it on; its keys follow)",
        SettingKind.Parsed => ParsedType!.Allowed,
        _ => "text",
    } + (Optional && Kind is not SettingKind.Section ? " (or null)" : "");

    /// <summary>The kind in one word for the key table.</summary>
    public string TypeName => Kind switch
    {
        SettingKind.Boolean => "boolean",
        SettingKind.Integer => "integer",
        SettingKind.Number => "number",
        SettingKind.NumberList => "number list",
        SettingKind.Choice => "choice",
        SettingKind.Section => "section",
        SettingKind.Parsed => ParsedType!.TypeName,
        _ => "text",
    };

    /// <summary>The value on <paramref name="root"/>, or null where it or a section above it is unset.</summary>
    public object? GetValue(object root)
    {
        object? current = root;
        foreach (var property in _chain)
        {
            if (current is null)
                return null;
            current = property.GetValue(current);
        }
        return current;
    }

    /// <summary>Sets the value on <paramref name="root"/>, creating optional sections above it as needed.</summary>
    public void SetValue(object root, object? value)
    {
        object current = root;
        foreach (var property in _chain[..^1])
        {
            object? next = property.GetValue(current);
            if (next is null)
            {
                next = Activator.CreateInstance(property.PropertyType)!;
                property.SetValue(current, next);
            }
            current = next;
        }
        _chain[^1].SetValue(current, value);
    }

    /// <summary>What is wrong with <paramref name="value"/> for this key, or null when it is allowed.</summary>
    public ConfigProblem? Check(object? value) => Check(value, Path);

    /// <summary>
    /// As <see cref="Check(object?)"/>, with the problem reported at <paramref name="path"/> (options checked outside a
    /// whole config, such as a loss given to the library directly, name their own prefix).
    /// </summary>
    public ConfigProblem? Check(object? value, string path) => CheckAt(value) is { } problem ? problem with { Key = path + problem.Key[Path.Length..] } : null;

    private ConfigProblem? CheckAt(object? value)
    {
        if (value is null)
            return Optional ? null : Problem("is required", "nothing");
        switch (Kind)
        {
            case SettingKind.Integer:
                return InRange(Convert.ToDouble(value, CultureInfo.InvariantCulture)) ? null : Problem("is out of range", Format(value));
            case SettingKind.Number:
                double number = (double)value;
                return double.IsFinite(number) && InRange(number) ? null : Problem(double.IsFinite(number) ? "is out of range" : "is not a finite number", Format(value));
            case SettingKind.NumberList:
                var list = (IReadOnlyList<double>)value;
                int bad = list.ToList().FindIndex(v => !double.IsFinite(v));
                return bad < 0 ? null : new ConfigProblem($"{Path}[{bad}]", $"{Format(list[bad])} is not a finite number; allowed: {Allowed}");
            case SettingKind.Choice:
                return Enum.IsDefined(ValueType, value) ? null : Problem("is not allowed", value.ToString() ?? "");
            default:
                return null;
        }
    }

    /// <summary>
    /// For library options that take a setting's value under their own name: throws an
    /// <see cref="ArgumentException"/> naming <paramref name="name"/> when <paramref name="value"/> is outside this
    /// key's range, so that the range is written once, here.
    /// </summary>
    public void Require(object? value, string name)
    {
        if (CheckAt(value) is not null)
            throw new ArgumentException($"{name} {Format(value)} is out of range; allowed: {Allowed}", name);
    }

    /// <summary>The value in the config's spelling: canonical enum names, shortest round-trip numbers.</summary>
    public static string Format(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        double d => FormatNumber(d),
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        Enum e => ConfigNames.ToName(e),
        IEnumerable<double> list => "[" + string.Join(", ", list.Select(v => Format(v))) + "]",
        string s => s,
        _ when ParsedSettings.Is(value.GetType()) => value.ToString() ?? "",
        _ => "{}",
    };

    /// <summary>
    /// Shortest round-trip text, with exponents written as 1.0e-08: YAML 1.1 readers (PyYAML) read a number with an
    /// exponent only when it has a decimal point, YAML 1.2 readers read both.
    /// </summary>
    private static string FormatNumber(double value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        int exponent = text.IndexOf('E', StringComparison.Ordinal);
        if (exponent < 0)
            return text;
        string mantissa = text[..exponent];
        return (mantissa.Contains('.', StringComparison.Ordinal) ? mantissa : mantissa + ".0") + "e" + text[(exponent + 1)..];
    }

    private ConfigProblem Problem(string what, string shown) => new(Path, $"{(shown.Length == 0 ? "''" : shown)} {what}; allowed: {Allowed}");

    private bool InRange(double value) =>
        (Min is not { } min || (MinExclusive ? value > min : value >= min)) &&
        (Max is not { } max || (MaxExclusive ? value < max : value <= max));

    private string RangeText()
    {
        string F(double v) => Kind == SettingKind.Integer ? ((long)v).ToString(CultureInfo.InvariantCulture) : Format(v);
        return (Min, Max) switch
        {
            ({ } min, { } max) => $" in {(MinExclusive ? "(" : "[")}{F(min)}, {F(max)}{(MaxExclusive ? ")" : "]")}",
            ({ } min, null) => $" {(MinExclusive ? ">" : ">=")} {F(min)}",
            (null, { } max) => $" {(MaxExclusive ? "<" : "<=")} {F(max)}",
            _ => "",
        };
    }
}
