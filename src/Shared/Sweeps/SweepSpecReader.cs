using System.Globalization;
using System.Text.RegularExpressions;
using Asl.Distributed.Configuration;
using Asl.Distributed.Configuration.Schema;
using Asl.Distributed.Configuration.Training;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Asl.Distributed.Sweeps;

/// <summary>
/// Reads a sweep spec from YAML into a <see cref="SweepSpec"/>, or throws a <see cref="ConfigException"/> with every
/// problem at once: each names its path in the file (<c>search_space.loss.gamma_neg.uniform[1]</c>,
/// <c>algorithm.reduction_factor</c>), says what is allowed, and ends with its line and column. Training keys and
/// their values are checked by the training config's key schema, and every trial's whole config is checked before
/// the spec is accepted, so that nothing is stored or started for a spec any trial of which would fail.
/// </summary>
public static partial class SweepSpecReader
{
    private static readonly string[] Fields =
        ["name", "base", "config", "search_space", "baselines", "algorithm", "metric", "workers_per_trial", "max_concurrent_trials", "max_failures_per_trial", "seed"];

    /// <summary>Reads the spec file at <paramref name="path"/>; a <c>base:</c> path is relative to its folder.</summary>
    public static SweepSpec Load(string path)
    {
        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new ConfigException(path, "the sweep spec file does not exist");
        return Parse(File.ReadAllText(full), Path.GetDirectoryName(full));
    }

    /// <summary>
    /// Reads spec text; a <c>base:</c> path is relative to <paramref name="folder"/> (the current folder when null);
    /// <paramref name="source"/> names the text in a YAML syntax error.
    /// </summary>
    public static SweepSpec Parse(string yaml, string? folder = null, string source = "spec")
    {
        YamlNode root;
        try
        {
            root = BaseConfigText.Root(yaml);
        }
        catch (YamlException e)
        {
            throw new ConfigException(source, $"not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}");
        }
        var problems = new List<ConfigProblem>();
        var spec = Read(root, folder ?? Environment.CurrentDirectory, problems);
        if (problems.Count > 0 || spec is null)
            throw new ConfigException(InFileOrder(root, problems));
        return spec;
    }

    // Problems in the order of the file, each ending with its line and column; those of missing fields at the end.
    private static List<ConfigProblem> InFileOrder(YamlNode root, List<ConfigProblem> problems) =>
        problems.Select(p => (Problem: p, Node: YamlLocator.Locate(root, p.Key)))
            .OrderBy(p => ReferenceEquals(p.Node, root) ? long.MaxValue : p.Node.Start.Index)
            .Select(p => p.Problem with { Message = p.Problem.Message + YamlLocator.Where(root, p.Problem.Key) })
            .ToList();

    private static SweepSpec? Read(YamlNode root, string folder, List<ConfigProblem> problems)
    {
        if (root is not YamlMappingNode mapping)
        {
            problems.Add(new ConfigProblem("spec", $"must be a mapping of fields; allowed: {string.Join(", ", Fields)}"));
            return null;
        }
        var nodes = new Dictionary<string, YamlNode>();
        foreach (var (keyNode, value) in mapping.Children)
        {
            string field = (keyNode as YamlScalarNode)?.Value ?? "";
            if (Fields.Contains(field))
                nodes[field] = value;
            else
                problems.Add(new ConfigProblem(field, $"unknown field{NearestName.Hint(field, Fields)}; allowed: {string.Join(", ", Fields)}"));
        }

        var settings = new SweepSettings();
        foreach (string field in (string[])["algorithm", "metric", "workers_per_trial", "max_concurrent_trials", "max_failures_per_trial"])
        {
            if (!nodes.TryGetValue(field, out var node))
                continue;
            if (SweepSettings.Schema.Sections.Contains(field) && node is not YamlMappingNode)
            {
                string keys = string.Join(", ", SweepSettings.Schema.ChildNames(field));
                problems.Add(new ConfigProblem(field, $"must be a section, for example {field}: {{{SweepSettings.Schema.ChildNames(field)[0]}: ...}}; allowed keys: {keys}"));
                continue;
            }
            ConfigReader.Set(settings, SweepSettings.Schema, field, node, problems);
        }
        var kind = settings.Algorithm.Kind;
        string? name = ReadName(nodes.GetValueOrDefault("name"), problems);
        long seed = ReadSeed(nodes.GetValueOrDefault("seed"), problems);
        var (baseConfig, baseField) = SpecBaseReader.Read(nodes.GetValueOrDefault("base"), nodes.GetValueOrDefault("config"), folder, problems);
        // One scratch copy takes every swept and baseline value in turn; only the key just set is read back.
        var scratch = TrainingConfigLoader.Copy(baseConfig);
        var space = SearchSpaceReader.Read(nodes.GetValueOrDefault("search_space"), scratch, kind, problems);
        var baselines = BaselinesReader.Read(nodes.GetValueOrDefault("baselines"), scratch, kind, problems);
        var algorithm = AlgorithmReader.Read(settings.Algorithm, nodes.GetValueOrDefault("algorithm"), space, baselines.Count, problems);
        if (problems.Count > 0 || name is null || algorithm is null)
            return null;

        var spec = new SweepSpec(name, BaseConfigText.Write(baseConfig), new ValueList<SweepDimension>(space), new ValueList<SweepBaseline>(baselines),
            algorithm, new SweepMetric(settings.Metric.Name, settings.Metric.Mode), settings.WorkersPerTrial, settings.MaxConcurrentTrials,
            settings.MaxFailuresPerTrial, seed);
        problems.AddRange(TrialChecks.Check(spec, baseField));
        return problems.Count == 0 ? spec : null;
    }

    private static string? ReadName(YamlNode? node, List<ConfigProblem> problems)
    {
        const string Allowed = "allowed: 1 to 64 letters, digits, '-' or '_' (the sweep's id and folder name)";
        if (node is null || SettingValueReader.IsNull(node))
        {
            problems.Add(new ConfigProblem("name", $"is required; {Allowed}"));
            return null;
        }
        string text = (node as YamlScalarNode)?.Value ?? "";
        if (node is YamlScalarNode && SafeName().IsMatch(text))
            return text;
        problems.Add(new ConfigProblem("name", $"{(node is YamlScalarNode ? $"'{text}'" : "a list or mapping")} is not a safe name; {Allowed}"));
        return null;
    }

    private static long ReadSeed(YamlNode? node, List<ConfigProblem> problems)
    {
        if (node is null)
            return 0;
        string text = (node as YamlScalarNode)?.Value ?? "";
        if (node is YamlScalarNode && long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long seed))
            return seed;
        problems.Add(new ConfigProblem("seed", $"'{text}' is not an integer; allowed: an integer in [{long.MinValue}, {long.MaxValue}]"));
        return 0;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,64}\z")]
    private static partial Regex SafeName();
}
