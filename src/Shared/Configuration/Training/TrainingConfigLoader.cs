using Asl.Distributed.Configuration.Schema;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Asl.Distributed.Configuration.Training;

/// <summary>
/// Reads a training config from YAML, applies command-line overrides (<c>loss.gamma_neg=2</c>) through the key
/// schema and validates the result, so that a bad config fails before any work starts with every problem listed,
/// each with its key and the allowed values. Values of fixed sets are typed from here on (case-insensitive on
/// input, canonical in <see cref="ToYaml"/>).
/// </summary>
public static class TrainingConfigLoader
{
    /// <summary>Loads <paramref name="path"/> with <paramref name="overrides"/> applied in order.</summary>
    public static TrainingConfig Load(string path, IEnumerable<string>? overrides = null)
    {
        if (!File.Exists(path))
            throw new ConfigException(path, "the config file does not exist");
        return Parse(File.ReadAllText(path), overrides, path);
    }

    /// <summary>Parses YAML text; <paramref name="source"/> names it in errors. Throws a <see cref="ConfigException"/> listing every problem.</summary>
    public static TrainingConfig Parse(string yaml, IEnumerable<string>? overrides = null, string source = "config")
    {
        var config = new TrainingConfig();
        var problems = new List<ConfigProblem>();
        ConfigReader.ReadSection(config, TrainingConfig.Schema, ReadRoot(yaml, source), "", problems);
        foreach (string assignment in overrides ?? [])
            problems.AddRange(Override(config, assignment));
        // Whole-config checks only on values that were readable: a bad value is reported once, by its key.
        if (problems.Count == 0)
            problems.AddRange(config.Problems());
        return problems.Count == 0 ? config : throw new ConfigException(problems);
    }

    /// <summary>Applies one <c>section.key=value</c> override; returns its problems (empty when it was applied).</summary>
    public static IReadOnlyList<ConfigProblem> Override(TrainingConfig config, string assignment)
    {
        int equals = assignment.IndexOf('=');
        if (equals <= 0)
            return [new ConfigProblem(assignment, "an override must look like section.key=value, for example loss.gamma_neg=2")];
        return config.Set(assignment[..equals].Trim(), assignment[(equals + 1)..]);
    }

    /// <summary>
    /// A copy of <paramref name="config"/> with <paramref name="settings"/> (dotted key, value text) applied and the
    /// result validated; throws a <see cref="ConfigException"/> listing every problem of every setting at once.
    /// This is how a sweep turns a base config and a trial's sampled values into the trial's config.
    /// </summary>
    public static TrainingConfig With(TrainingConfig config, IEnumerable<KeyValuePair<string, string>> settings)
    {
        var copy = Copy(config);
        var problems = settings.SelectMany(s => copy.Set(s.Key, s.Value)).ToList();
        if (problems.Count == 0)
            problems.AddRange(copy.Problems());
        return problems.Count == 0 ? copy : throw new ConfigException(problems);
    }

    /// <summary>
    /// The config as YAML, every setting written out with the loss preset's values resolved (recorded with each
    /// run): reading it back gives the same run.
    /// </summary>
    public static string ToYaml(TrainingConfig config)
    {
        // A view sharing the sections: the writer only reads.
        var view = new TrainingConfig
        {
            Seed = config.Seed,
            Data = config.Data,
            Image = config.Image,
            Model = config.Model,
            Loss = config.Loss.Resolved(),
            Optimizer = config.Optimizer,
            Schedule = config.Schedule,
            Run = config.Run,
            Output = config.Output,
            Distributed = config.Distributed,
        };
        return ConfigYamlWriter.Write(view, TrainingConfig.Schema);
    }

    /// <summary>A deep copy, the loss preset kept unresolved (so that a later loss.preset still applies).</summary>
    public static TrainingConfig Copy(TrainingConfig config)
    {
        var copy = new TrainingConfig();
        var problems = new List<ConfigProblem>();
        ConfigReader.ReadSection(copy, TrainingConfig.Schema, ReadRoot(ConfigYamlWriter.Write(config, TrainingConfig.Schema), "config"), "", problems);
        return problems.Count == 0 ? copy : throw new ConfigException(problems);
    }

    private static YamlNode ReadRoot(string yaml, string source)
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
        if (stream.Documents.Count == 0 || SettingValueReader.IsNull(stream.Documents[0].RootNode))
            return new YamlMappingNode();
        return stream.Documents[0].RootNode;
    }
}
