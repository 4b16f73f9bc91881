using Asl.Distributed.Configuration;
using Asl.Distributed.Configuration.Schema;
using Asl.Distributed.Configuration.Training;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Asl.Distributed.Sweeps;

/// <summary>
/// Reads the spec's base training config: <c>base: PATH</c> (a training config file, relative to the spec's folder)
/// or <c>config:</c> (the same settings inline), or neither for the defaults. Keys are read and range-checked here;
/// whole-config checks wait for each trial's config.
/// </summary>
internal static class SpecBaseReader
{
    private const string OneOf = "allowed: base (a training config file) or config (the settings inline), or neither for the defaults";

    /// <summary>The base config (what could be read of it) and the field it came from, for later problems.</summary>
    public static (TrainingConfig Config, string Field) Read(YamlNode? baseNode, YamlNode? configNode, string folder, List<ConfigProblem> problems)
    {
        if (baseNode is not null && configNode is not null)
            problems.Add(new ConfigProblem("config", $"is given with base; {OneOf}"));
        if (configNode is not null)
            return (Inline(configNode, problems), "config");
        if (baseNode is not null)
            return (File(baseNode, folder, problems), "base");
        return (new TrainingConfig(), "config");
    }

    private static TrainingConfig Inline(YamlNode node, List<ConfigProblem> problems)
    {
        var found = new List<ConfigProblem>();
        var config = BaseConfigText.Read(node, found);
        problems.AddRange(found.Select(p => p.Key == "config" ? p : p with { Key = $"config.{p.Key}" }));
        return config;
    }

    private static TrainingConfig File(YamlNode node, string folder, List<ConfigProblem> problems)
    {
        string text = (node as YamlScalarNode)?.Value ?? "";
        if (node is not YamlScalarNode || SettingValueReader.IsNull(node) || text.Trim().Length == 0)
        {
            problems.Add(new ConfigProblem("base", $"must be the path of a training config file; {OneOf}"));
            return new TrainingConfig();
        }
        string full = Path.GetFullPath(Path.Combine(folder, text.Trim()));
        if (!System.IO.File.Exists(full))
        {
            problems.Add(new ConfigProblem("base", $"'{text}' does not exist (looked for {full}; a relative path starts at the spec's folder)"));
            return new TrainingConfig();
        }
        YamlNode root;
        try
        {
            root = BaseConfigText.Root(System.IO.File.ReadAllText(full));
        }
        catch (YamlException e)
        {
            problems.Add(new ConfigProblem("base", $"'{text}' is not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}"));
            return new TrainingConfig();
        }
        var found = new List<ConfigProblem>();
        var config = BaseConfigText.Read(root, found);
        problems.AddRange(found.Select(p => new ConfigProblem("base", $"in '{text}': {p}")));
        return config;
    }
}
