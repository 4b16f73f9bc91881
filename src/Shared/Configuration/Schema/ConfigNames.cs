using System.Collections.Concurrent;
using System.Reflection;

namespace Asl.Distributed.Configuration.Schema;

/// <summary>
/// The config spellings of enum values: each member's <see cref="ConfigNameAttribute"/>, or its name in lower case.
/// Parsing ignores case and surrounding blanks; writing always gives the canonical spelling.
/// </summary>
public static class ConfigNames
{
    private static readonly ConcurrentDictionary<Type, (string Name, Enum Value)[]> Tables = new();

    /// <summary>The canonical spellings of <paramref name="enumType"/>'s values, in declaration order.</summary>
    public static IReadOnlyList<string> Of(Type enumType) => Table(enumType).Select(e => e.Name).ToArray();

    /// <summary>The canonical spellings of <typeparamref name="T"/>'s values.</summary>
    public static IReadOnlyList<string> Of<T>() where T : struct, Enum => Of(typeof(T));

    /// <summary>The canonical spelling of <paramref name="value"/>.</summary>
    public static string ToName(Enum value) => Table(value.GetType()).FirstOrDefault(e => e.Value.Equals(value)).Name
        ?? throw new ArgumentOutOfRangeException(nameof(value), value, $"not a value of {value.GetType().Name}");

    /// <summary>The value spelt <paramref name="text"/> in any case, or null when there is none.</summary>
    public static Enum? TryParse(Type enumType, string? text)
    {
        string wanted = (text ?? "").Trim();
        foreach (var (name, value) in Table(enumType))
        {
            if (string.Equals(name, wanted, StringComparison.OrdinalIgnoreCase))
                return value;
        }
        return null;
    }

    /// <summary>Parses <paramref name="text"/>; the error names <paramref name="key"/> and the allowed spellings.</summary>
    public static T Parse<T>(string? text, string key) where T : struct, Enum =>
        TryParse(typeof(T), text) is T value
            ? value
            : throw new ConfigException(key, $"'{text}' is not allowed; allowed: {string.Join(", ", Of<T>())}");

    private static (string Name, Enum Value)[] Table(Type enumType) => Tables.GetOrAdd(enumType, type =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (f.GetCustomAttribute<ConfigNameAttribute>()?.Name ?? f.Name.ToLowerInvariant(), (Enum)f.GetValue(null)!))
            .ToArray());
}
