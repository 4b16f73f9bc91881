using System.Collections.Concurrent;
using System.Reflection;
using YamlDotNet.Serialization.NamingConventions;

namespace Asl.Distributed.Configuration.Schema;

/// <summary>
/// The key table of a config type, read from its properties: every public settable property is a section (a class
/// of further settings) or a setting marked with <see cref="SettingAttribute"/>; keys are the snake_case property
/// names joined by dots. Defaults are the values of a fresh instance.
/// </summary>
public sealed class ConfigSchema
{
    private static readonly ConcurrentDictionary<Type, ConfigSchema> Cache = new();

    private readonly Dictionary<string, SettingKey> _byPath;
    private readonly Dictionary<string, IReadOnlyList<string>> _children;

    private ConfigSchema(Type rootType, List<SettingKey> keys, Dictionary<string, IReadOnlyList<string>> children, HashSet<string> sections)
    {
        RootType = rootType;
        Keys = keys;
        Sections = sections;
        _byPath = keys.ToDictionary(k => k.Path);
        _children = children;
    }

    /// <summary>The schema of <paramref name="rootType"/> (built once per type).</summary>
    public static ConfigSchema Of(Type rootType) => Cache.GetOrAdd(rootType, Build);

    public Type RootType { get; }

    /// <summary>Every setting and optional section, in declaration order.</summary>
    public IReadOnlyList<SettingKey> Keys { get; }

    /// <summary>The paths of every section ("" is the top level).</summary>
    public IReadOnlySet<string> Sections { get; }

    /// <summary>The key at <paramref name="path"/>, or null.</summary>
    public SettingKey? Find(string path) => _byPath.GetValueOrDefault(path);

    /// <summary>The names allowed directly inside the section at <paramref name="sectionPath"/> ("" for the top level).</summary>
    public IReadOnlyList<string> ChildNames(string sectionPath) => _children.GetValueOrDefault(sectionPath) ?? [];

    /// <summary>Every problem of <paramref name="root"/>'s values against their keys' ranges and allowed values.</summary>
    public IReadOnlyList<ConfigProblem> CheckValues(object root)
    {
        var problems = new List<ConfigProblem>();
        foreach (var key in Keys)
        {
            if (key.Kind == SettingKind.Section || IsUnderAbsentSection(root, key))
                continue;
            if (key.Check(key.GetValue(root)) is { } problem)
                problems.Add(problem);
        }
        return problems;
    }

    /// <summary>The snake_case spelling of a property name (<c>GammaNeg</c> → <c>gamma_neg</c>).</summary>
    public static string KeyName(string propertyName) => UnderscoredNamingConvention.Instance.Apply(propertyName);

    /// <summary>Whether <paramref name="key"/> lies inside an optional section that <paramref name="root"/> leaves out.</summary>
    public bool IsUnderAbsentSection(object root, SettingKey key)
    {
        for (int dot = key.Path.LastIndexOf('.'); dot > 0; dot = key.Path.LastIndexOf('.', dot - 1))
        {
            if (Find(key.Path[..dot]) is { Kind: SettingKind.Section } section && section.GetValue(root) is null)
                return true;
        }
        return false;
    }

    private static ConfigSchema Build(Type rootType)
    {
        var keys = new List<SettingKey>();
        var children = new Dictionary<string, IReadOnlyList<string>>();
        var sections = new HashSet<string>();
        // One per build: a NullabilityInfoContext is not thread-safe, and Cache.GetOrAdd runs builds concurrently
        // (sweeps submitted together to a fresh coordinator did).
        var nullability = new NullabilityInfoContext();
        Walk(rootType, Activator.CreateInstance(rootType), "", [], nullability, keys, children, sections);
        return new ConfigSchema(rootType, keys, children, sections);
    }

    private static void Walk(Type type, object? defaults, string prefix, PropertyInfo[] chain, NullabilityInfoContext nullability, List<SettingKey> keys,
        Dictionary<string, IReadOnlyList<string>> children, HashSet<string> sections)
    {
        sections.Add(prefix);
        var names = new List<string>();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.SetMethod!.IsPublic))
        {
            string name = KeyName(property.Name);
            string path = prefix.Length == 0 ? name : $"{prefix}.{name}";
            names.Add(name);
            PropertyInfo[] here = [.. chain, property];
            var attribute = property.GetCustomAttribute<SettingAttribute>();
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            bool optional = Nullable.GetUnderlyingType(property.PropertyType) is not null
                || (!property.PropertyType.IsValueType && nullability.Create(property).WriteState == NullabilityState.Nullable);
            object? value = defaults is null ? null : property.GetValue(defaults);
            if (IsSection(propertyType) && !ParsedSettings.Is(propertyType))
            {
                if (optional)
                {
                    keys.Add(new SettingKey(path, here, SettingKind.Section, propertyType, optional: true,
                        attribute ?? throw Undescribed(path), value is null ? "absent" : "present"));
                    value ??= Activator.CreateInstance(propertyType);
                }
                Walk(propertyType, value, path, here, nullability, keys, children, sections);
                continue;
            }
            var kind = KindOf(propertyType) ?? throw new InvalidOperationException($"config key {path} has type {propertyType}, which the schema cannot read");
            keys.Add(new SettingKey(path, here, kind, propertyType, optional, attribute ?? throw Undescribed(path), SettingKey.Format(value)));
        }
        children[prefix] = names;
    }

    private static bool IsSection(Type type) => type.IsClass && type != typeof(string) && !typeof(System.Collections.IEnumerable).IsAssignableFrom(type);

    private static SettingKind? KindOf(Type type) =>
        type == typeof(bool) ? SettingKind.Boolean
        : type == typeof(int) ? SettingKind.Integer
        : type == typeof(double) ? SettingKind.Number
        : type == typeof(string) ? SettingKind.Text
        : type.IsEnum ? SettingKind.Choice
        : ParsedSettings.Is(type) ? SettingKind.Parsed
        : type == typeof(List<double>) ? SettingKind.NumberList
        : null;

    private static InvalidOperationException Undescribed(string path) =>
        new($"config key {path} has no [Setting] description; every setting is described in the key schema");
}
