namespace Asl.Distributed.Configuration.Schema;

/// <summary>
/// Reaches the static members of an <see cref="IParsedSetting{TSelf}"/> type from its <see cref="Type"/>, as the
/// schema knows a key's type only at run time.
/// </summary>
internal static class ParsedSettings
{
    /// <summary>Whether <paramref name="type"/> is a parsed setting value.</summary>
    public static bool Is(Type type) =>
        type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IParsedSetting<>) && i.GetGenericArguments()[0] == type);

    /// <summary>The static members of <paramref name="type"/>, which must be a parsed setting value.</summary>
    public static IParsedSettingType Of(Type type) =>
        (IParsedSettingType)Activator.CreateInstance(typeof(ParsedSettingType<>).MakeGenericType(type))!;
}

/// <summary>The static members of one parsed setting type, as instance members.</summary>
internal interface IParsedSettingType
{
    string TypeName { get; }

    string Allowed { get; }

    string Pattern { get; }

    object? TryParse(string text);
}

/// <summary>The static members of <typeparamref name="T"/> as an <see cref="IParsedSettingType"/>.</summary>
internal sealed class ParsedSettingType<T> : IParsedSettingType where T : IParsedSetting<T>
{
    public string TypeName => T.TypeName;

    public string Allowed => T.Allowed;

    public string Pattern => T.Pattern;

    public object? TryParse(string text) => T.TryParse(text, out var value) ? value : null;
}
