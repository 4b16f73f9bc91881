namespace Asl.Distributed.Configuration.Schema;

/// <summary>
/// A setting value with a syntax of its own (a device: <c>auto</c>, <c>cpu</c>, <c>cuda:1</c>), held as a closed
/// typed value from the moment it is read. The type parses any case, writes its canonical spelling with
/// <see cref="object.ToString"/>, and describes what it allows for errors, the key table and the JSON Schema.
/// </summary>
/// <typeparam name="TSelf">The value type itself.</typeparam>
public interface IParsedSetting<TSelf> where TSelf : IParsedSetting<TSelf>
{
    /// <summary>The kind in one word, for the key table (<c>device</c>).</summary>
    static abstract string TypeName { get; }

    /// <summary>The allowed values in words, for errors and the key table.</summary>
    static abstract string Allowed { get; }

    /// <summary>A regular expression (ECMA 262, as JSON Schema's <c>pattern</c>) that every allowed spelling matches.</summary>
    static abstract string Pattern { get; }

    /// <summary>Reads <paramref name="text"/> in any case and with surrounding blanks; false when it is not allowed.</summary>
    static abstract bool TryParse(string text, out TSelf value);
}
