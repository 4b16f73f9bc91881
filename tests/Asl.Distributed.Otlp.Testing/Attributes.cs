using System.Globalization;
using Asl.Distributed.Otlp.Testing.Proto.Common;

namespace Asl.Distributed.Otlp.Testing;

/// <summary>
/// Reads OTLP attribute lists (resource, data point, span, log record). The typed getters are strict: an int tag
/// must arrive as an int value, so a test also checks how the exporter typed it. Failures name the key, what was
/// found and the keys present.
/// </summary>
public static class Attributes
{
    /// <summary>The value of <paramref name="key"/>, or null when the list has no such key.</summary>
    public static AnyValue? Find(IEnumerable<KeyValue> attributes, string key)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        return attributes.FirstOrDefault(a => a.Key == key)?.Value;
    }

    /// <summary>The value of <paramref name="key"/>; throws <see cref="KeyNotFoundException"/> naming the keys present when it is missing.</summary>
    public static AnyValue Get(IEnumerable<KeyValue> attributes, string key)
    {
        var list = attributes as IReadOnlyCollection<KeyValue> ?? [.. attributes];
        return Find(list, key)
            ?? throw new KeyNotFoundException($"no attribute '{key}'; present: {Keys(list)}");
    }

    /// <summary>The string value of <paramref name="key"/>.</summary>
    public static string GetString(IEnumerable<KeyValue> attributes, string key) =>
        Typed(attributes, key, AnyValue.ValueOneofCase.StringValue).StringValue;

    /// <summary>The integer value of <paramref name="key"/> (the exporter writes every .NET integer type as int64).</summary>
    public static long GetInt(IEnumerable<KeyValue> attributes, string key) =>
        Typed(attributes, key, AnyValue.ValueOneofCase.IntValue).IntValue;

    /// <summary>The floating-point value of <paramref name="key"/>.</summary>
    public static double GetDouble(IEnumerable<KeyValue> attributes, string key) =>
        Typed(attributes, key, AnyValue.ValueOneofCase.DoubleValue).DoubleValue;

    /// <summary>The boolean value of <paramref name="key"/>.</summary>
    public static bool GetBool(IEnumerable<KeyValue> attributes, string key) =>
        Typed(attributes, key, AnyValue.ValueOneofCase.BoolValue).BoolValue;

    /// <summary>Every attribute as text (for messages and test output); a repeated key keeps its last value.</summary>
    public static IReadOnlyDictionary<string, string> ToText(IEnumerable<KeyValue> attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        var text = new Dictionary<string, string>();
        foreach (var attribute in attributes)
            text[attribute.Key] = Text(attribute.Value);
        return text;
    }

    /// <summary>A value as text: strings as they are, numbers invariant, lists in brackets, maps in braces.</summary>
    public static string Text(AnyValue? value) => value?.ValueCase switch
    {
        null or AnyValue.ValueOneofCase.None => "",
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString("R", CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.BytesValue => Convert.ToHexStringLower(value.BytesValue.Span),
        AnyValue.ValueOneofCase.ArrayValue => "[" + string.Join(", ", value.ArrayValue.Values.Select(Text)) + "]",
        AnyValue.ValueOneofCase.KvlistValue => "{" + string.Join(", ", value.KvlistValue.Values.Select(kv => kv.Key + "=" + Text(kv.Value))) + "}",
        _ => $"<{value.ValueCase}>",
    };

    private static AnyValue Typed(IEnumerable<KeyValue> attributes, string key, AnyValue.ValueOneofCase expected)
    {
        var value = Get(attributes, key);
        return value.ValueCase == expected
            ? value
            : throw new InvalidOperationException($"attribute '{key}' is {value.ValueCase} ({Text(value)}), not {expected}");
    }

    private static string Keys(IEnumerable<KeyValue> attributes)
    {
        string keys = string.Join(", ", attributes.Select(a => a.Key));
        return keys.Length == 0 ? "(none)" : keys;
    }
}
