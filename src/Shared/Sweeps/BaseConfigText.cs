using Asl.Distributed.Configuration;
using Asl.Distributed.Configuration.Schema;
using Asl.Distributed.Configuration.Training;
using YamlDotNet.RepresentationModel;

namespace Asl.Distributed.Sweeps;

/// <summary>
/// The base training config of a spec as text and back. Written with every key and the loss preset unresolved
/// (<see cref="TrainingConfigLoader.ToYaml"/> writes the preset's values out, after which a trial's
/// <c>loss.preset: bce</c> would keep the base preset's γ). Read key by key without the whole-config checks: a base
/// may be completed by what its trials set, and every trial's config is checked whole.
/// </summary>
internal static class BaseConfigText
{
    public static string Write(TrainingConfig config) => ConfigYamlWriter.Write(config, TrainingConfig.Schema);

    /// <summary>Reads the section <paramref name="node"/> into a fresh config, adding its keys' problems.</summary>
    public static TrainingConfig Read(YamlNode node, List<ConfigProblem> problems)
    {
        var config = new TrainingConfig();
        if (!SettingValueReader.IsNull(node))
            ConfigReader.ReadSection(config, TrainingConfig.Schema, node, "", problems);
        return config;
    }

    /// <summary>Reads canonical text written by <see cref="Write"/>; throws a <see cref="ConfigException"/> on a problem.</summary>
    public static TrainingConfig Read(string yaml)
    {
        var problems = new List<ConfigProblem>();
        var config = Read(Root(yaml), problems);
        return problems.Count == 0 ? config : throw new ConfigException(problems);
    }

    /// <summary>The root node of YAML text (an empty mapping for an empty text); throws on malformed YAML.</summary>
    public static YamlNode Root(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Count == 0 ? new YamlMappingNode() : stream.Documents[0].RootNode;
    }
}
