using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Asl.Distributed.Configuration.Schema;

/// <summary>
/// Writes a config object as YAML through its schema: every key, defaults included, in declaration order, with
/// canonical enum spellings and round-trip numbers, so that reading it back gives the same values.
/// </summary>
public static class ConfigYamlWriter
{
    public static string Write(object root, ConfigSchema schema)
    {
        var top = new YamlMappingNode();
        foreach (var key in schema.Keys)
        {
            if (schema.IsUnderAbsentSection(root, key))
                continue;
            var section = SectionOf(top, key.Path);
            object? value = key.GetValue(root);
            if (key.Kind == SettingKind.Section)
            {
                if (value is null)
                    section.Children[new YamlScalarNode(key.Name)] = new YamlScalarNode("null");
                continue;
            }
            section.Children[new YamlScalarNode(key.Name)] = Node(key, value);
        }
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        new YamlStream(new YamlDocument(top)).Save(writer, assignAnchors: false);
        string text = writer.ToString();
        // YamlStream ends a document with "...": a config file is one document, written without it.
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text;
    }

    private static YamlNode Node(SettingKey key, object? value)
    {
        if (value is IEnumerable<double> list)
            return new YamlSequenceNode(list.Select(v => new YamlScalarNode(SettingKey.Format(v)))) { Style = SequenceStyle.Flow };
        string text = SettingKey.Format(value);
        bool quote = key.Kind == SettingKind.Text && value is string s && (s.Length == 0 || SettingValueReader.IsNull(new YamlScalarNode(s)));
        return new YamlScalarNode(text) { Style = quote ? ScalarStyle.SingleQuoted : ScalarStyle.Any };
    }

    private static YamlMappingNode SectionOf(YamlMappingNode top, string path)
    {
        var node = top;
        string[] parts = path.Split('.');
        foreach (string part in parts[..^1])
        {
            var name = new YamlScalarNode(part);
            if (!node.Children.TryGetValue(name, out var child) || child is not YamlMappingNode mapping)
                node.Children[name] = mapping = new YamlMappingNode();
            node = mapping;
        }
        return node;
    }
}
