using System.Globalization;
using System.Reflection;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Asl.Distributed.Configuration.Training;

/// <summary>
/// Reads a training config from YAML, applies command-line overrides (<c>loss.gamma_neg=2</c>), checks every key
/// and value against the config types and validates the result, so that a bad config fails before any work
/// starts with the field's path and the allowed values.
/// </summary>
public static class TrainingConfigLoader
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    /// <summary>Loads <paramref name="path"/> with <paramref name="overrides"/> applied in order.</summary>
    public static TrainingConfig Load(string path, IEnumerable<string>? overrides = null)
    {
        if (!File.Exists(path))
            throw new ConfigException(path, "the config file does not exist");
        return Parse(File.ReadAllText(path), overrides, path);
    }

    /// <summary>Parses YAML text; <paramref name="source"/> names it in errors.</summary>
    public static TrainingConfig Parse(string yaml, IEnumerable<string>? overrides = null, string source = "config")
    {
        var root = ReadRoot(yaml, source);
        foreach (string assignment in overrides ?? [])
            Override(root, assignment);
        CheckNode(root, typeof(TrainingConfig), "");

        var stream = new YamlStream(new YamlDocument(root));
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        stream.Save(writer, assignAnchors: false);
        var config = Deserializer.Deserialize<TrainingConfig?>(writer.ToString()) ?? new TrainingConfig();
        return config.Validate();
    }

    /// <summary>The config as YAML, every setting written out (recorded with each run).</summary>
    public static string ToYaml(TrainingConfig config) => Serializer.Serialize(config);

    private static YamlMappingNode ReadRoot(string yaml, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new ConfigException(source, $"not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
            return new YamlMappingNode();
        return stream.Documents[0].RootNode as YamlMappingNode
            ?? throw new ConfigException(source, "the top level must be a mapping of sections (data, image, model, loss, ...)");
    }

    private static void Override(YamlMappingNode root, string assignment)
    {
        int equals = assignment.IndexOf('=');
        if (equals <= 0)
            throw new ConfigException(assignment, "an override must look like section.key=value");
        string[] path = assignment[..equals].Trim().Split('.');
        string value = assignment[(equals + 1)..];
        var node = root;
        for (int i = 0; i < path.Length - 1; i++)
        {
            var key = new YamlScalarNode(path[i]);
            if (!node.Children.TryGetValue(key, out var child))
                node.Children[key] = child = new YamlMappingNode();
            node = child as YamlMappingNode
                ?? throw new ConfigException(string.Join('.', path[..(i + 1)]), "is a value, not a section, so it has no keys to override");
        }
        var parsed = new YamlStream();
        parsed.Load(new StringReader($"v: {value}"));
        node.Children[new YamlScalarNode(path[^1])] = ((YamlMappingNode)parsed.Documents[0].RootNode).Children[new YamlScalarNode("v")];
    }

    private static void CheckNode(YamlNode node, Type type, string path)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite)
            .ToDictionary(p => UnderscoredNamingConvention.Instance.Apply(p.Name));
        if (node is not YamlMappingNode mapping)
            throw new ConfigException(Field(path), $"must be a section with keys; allowed keys: {string.Join(", ", properties.Keys)}");
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            string key = ((YamlScalarNode)keyNode).Value ?? "";
            string field = path.Length == 0 ? key : $"{path}.{key}";
            if (!properties.TryGetValue(key, out var property))
                throw new ConfigException(field, $"unknown setting; allowed keys here: {string.Join(", ", properties.Keys)}");
            CheckValue(valueNode, property.PropertyType, field);
        }
    }

    private static void CheckValue(YamlNode node, Type type, string field)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (node is YamlScalarNode { Value: "null" or "~" or "" } && (underlying is not null || !type.IsValueType))
            return;
        type = underlying ?? type;
        if (type == typeof(string))
        {
            if (node is not YamlScalarNode)
                throw new ConfigException(field, "must be a single value");
            return;
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            if (node is not YamlSequenceNode sequence)
                throw new ConfigException(field, "must be a list, for example [0.5, 0.5, 0.5]");
            int index = 0;
            foreach (var item in sequence)
                CheckValue(item, type.GetGenericArguments()[0], $"{field}[{index++}]");
            return;
        }
        if (type.IsClass)
        {
            CheckNode(node, type, field);
            return;
        }
        string? text = (node as YamlScalarNode)?.Value;
        bool ok = type == typeof(int) ? int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
            : type == typeof(double) ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
            : type == typeof(bool) ? bool.TryParse(text, out _)
            : throw new InvalidOperationException($"config type {type} has no check");
        if (!ok)
            throw new ConfigException(field, $"'{text}' is not {(type == typeof(int) ? "an integer" : type == typeof(double) ? "a number" : "true or false")}");
    }

    private static string Field(string path) => path.Length == 0 ? "config" : path;
}
