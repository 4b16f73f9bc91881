using YamlDotNet.RepresentationModel;

namespace Asl.Distributed.Configuration.Schema;

/// <summary>
/// Reads YAML into a config object through its schema: every key is looked up, every value parsed and checked,
/// and every problem collected with its path instead of stopping at the first.
/// </summary>
public static class ConfigReader
{
    /// <summary>Sets every key of <paramref name="node"/> (a section at <paramref name="prefix"/>, "" for the top level).</summary>
    public static void ReadSection(object root, ConfigSchema schema, YamlNode node, string prefix, List<ConfigProblem> problems)
    {
        if (node is not YamlMappingNode mapping)
        {
            problems.Add(new ConfigProblem(prefix.Length == 0 ? "config" : prefix,
                $"must be a section with keys; allowed keys: {string.Join(", ", schema.ChildNames(prefix))}"));
            return;
        }
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            string name = (keyNode as YamlScalarNode)?.Value ?? "";
            Set(root, schema, prefix.Length == 0 ? name : $"{prefix}.{name}", valueNode, problems);
        }
    }

    /// <summary>Sets the key or section at the dotted <paramref name="path"/> to <paramref name="value"/>.</summary>
    public static void Set(object root, ConfigSchema schema, string path, YamlNode value, List<ConfigProblem> problems)
    {
        if (schema.Sections.Contains(path) && schema.Find(path) is null)
        {
            if (value is YamlMappingNode)
                ReadSection(root, schema, value, path, problems);
            else
                problems.Add(new ConfigProblem(path, $"must be a section with keys, not a single value; allowed keys: {string.Join(", ", schema.ChildNames(path))} (in an override: {path}.{schema.ChildNames(path).FirstOrDefault()}=...)"));
            return;
        }
        if (schema.Find(path) is not { } key)
        {
            problems.Add(Unknown(schema, path));
            return;
        }
        if (key.Kind == SettingKind.Section)
        {
            SetSection(root, schema, key, value, problems);
            return;
        }
        if (SettingValueReader.Read(key, value, out object? parsed) is { } problem)
            problems.Add(problem);
        else
            key.SetValue(root, parsed);
    }

    private static void SetSection(object root, ConfigSchema schema, SettingKey key, YamlNode value, List<ConfigProblem> problems)
    {
        if (SettingValueReader.IsNull(value))
        {
            key.SetValue(root, null);
            return;
        }
        if (value is not YamlMappingNode)
        {
            problems.Add(new ConfigProblem(key.Path, $"must be a section ({{}} turns it on with its defaults) or null; allowed keys: {string.Join(", ", schema.ChildNames(key.Path))}"));
            return;
        }
        if (key.GetValue(root) is null)
            key.SetValue(root, Activator.CreateInstance(key.ValueType));
        ReadSection(root, schema, value, key.Path, problems);
    }

    private static ConfigProblem Unknown(ConfigSchema schema, string path)
    {
        string[] parts = path.Split('.');
        for (int i = 1; i < parts.Length; i++)
        {
            string above = string.Join('.', parts[..i]);
            if (schema.Find(above) is { Kind: not SettingKind.Section })
                return new ConfigProblem(above, "is a value, not a section, so it has no keys");
            if (!schema.Sections.Contains(above))
                return new ConfigProblem(above, $"unknown section; allowed keys here: {string.Join(", ", schema.ChildNames(string.Join('.', parts[..(i - 1)])))}");
        }
        string parent = parts.Length == 1 ? "" : string.Join('.', parts[..^1]);
        var allowed = schema.ChildNames(parent);
        return new ConfigProblem(path, $"unknown setting{NearestName.Hint(parts[^1], allowed)}; allowed keys here: {string.Join(", ", allowed)}");
    }
}
