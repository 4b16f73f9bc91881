using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Asl.Distributed.Configuration.Schema;

/// <summary>
/// Turns a YAML value into a setting's typed value: enum names in any case, numbers in the invariant culture and
/// finite only (NaN and the infinities in any spelling are refused), integers without fractions, true or false,
/// lists of numbers. Every refusal names the key and its allowed values; nothing is thrown.
/// </summary>
public static class SettingValueReader
{
    /// <summary>Reads <paramref name="node"/> for <paramref name="key"/>; returns the problem, or null with the value set.</summary>
    public static ConfigProblem? Read(SettingKey key, YamlNode node, out object? value)
    {
        value = null;
        if (IsNull(node))
            return key.Optional ? null : new ConfigProblem(key.Path, $"needs a value; allowed: {key.Allowed}");
        if (key.Kind == SettingKind.NumberList)
            return ReadList(key, node, out value);
        if (node is not YamlScalarNode scalar)
            return new ConfigProblem(key.Path, $"must be a single value, not a {(node is YamlSequenceNode ? "list" : "section")}; allowed: {key.Allowed}");
        string text = scalar.Value ?? "";
        value = key.Kind switch
        {
            SettingKind.Text => text,
            SettingKind.Boolean => bool.TryParse(text.Trim(), out bool b) ? b : null,
            SettingKind.Integer => int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int i) ? i : null,
            SettingKind.Number => ParseNumber(text) is { } d && double.IsFinite(d) ? d : null,
            SettingKind.Choice => ConfigNames.TryParse(key.ValueType, text),
            SettingKind.Parsed => key.ParsedType!.TryParse(text),
            _ => null,
        };
        if (value is null)
            return new ConfigProblem(key.Path, $"'{text}' is not {Noun(key, text)}; allowed: {key.Allowed}");
        return key.Check(value);
    }

    /// <summary>Parses the text of an override's value (<c>2</c>, <c>COCO</c>, <c>[0.5, 0.5, 0.5]</c>) as YAML.</summary>
    public static YamlNode ParseValueText(string text)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader($"v: {text}"));
            return ((YamlMappingNode)stream.Documents[0].RootNode).Children[new YamlScalarNode("v")];
        }
        catch (YamlException)
        {
            return new YamlScalarNode(text) { Style = ScalarStyle.SingleQuoted };
        }
    }

    /// <summary>Whether <paramref name="node"/> is YAML's null: an empty value, <c>~</c> or <c>null</c>, unquoted.</summary>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    private static ConfigProblem? ReadList(SettingKey key, YamlNode node, out object? value)
    {
        value = null;
        if (node is not YamlSequenceNode sequence)
            return new ConfigProblem(key.Path, $"must be a list; allowed: {key.Allowed}");
        var values = new List<double>();
        int index = 0;
        foreach (var item in sequence)
        {
            string? text = (item as YamlScalarNode)?.Value;
            if (ParseNumber(text) is not { } d || !double.IsFinite(d))
                return new ConfigProblem($"{key.Path}[{index}]", $"'{text}' is not a finite number; allowed: {key.Allowed}");
            values.Add(d);
            index++;
        }
        value = values;
        return key.Check(values);
    }

    private static double? ParseNumber(string? text) =>
        double.TryParse((text ?? "").Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : null;

    private static string Noun(SettingKey key, string text) => key.Kind switch
    {
        SettingKind.Boolean => "true or false",
        SettingKind.Integer => "an integer",
        SettingKind.Number => ParseNumber(text) is { } d && !double.IsFinite(d) ? "a finite number" : "a number",
        SettingKind.Choice or SettingKind.Parsed => "allowed",
        _ => "a value",
    };
}
