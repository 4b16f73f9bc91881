using Asl.Distributed.Configuration;
using Asl.Distributed.Configuration.Schema;
using Asl.Distributed.Configuration.Training;
using YamlDotNet.RepresentationModel;

namespace Asl.Distributed.Sweeps;

/// <summary>Reads <c>baselines</c>: a list of fixed settings, each one extra trial, checked key by key like the search space.</summary>
internal static class BaselinesReader
{
    private const string Example = "for example - {loss.preset: bce}";

    public static List<SweepBaseline> Read(YamlNode? node, TrainingConfig scratch, SweepAlgorithmKind kind, List<ConfigProblem> problems)
    {
        var baselines = new List<SweepBaseline>();
        if (node is null || SettingValueReader.IsNull(node))
            return baselines;
        if (node is not YamlSequenceNode list)
        {
            problems.Add(new ConfigProblem("baselines", $"must be a list of settings, each one extra trial; {Example}"));
            return baselines;
        }
        for (int i = 0; i < list.Children.Count; i++)
        {
            string path = $"baselines[{i}]";
            if (list.Children[i] is not YamlMappingNode mapping)
            {
                problems.Add(new ConfigProblem(path, $"must map training keys to values; {Example}"));
                continue;
            }
            var settings = new List<KeyValuePair<string, string>>();
            foreach (var (keyNode, valueNode) in mapping.Children)
            {
                string key = (keyNode as YamlScalarNode)?.Value ?? "";
                if (SweptKeys.Find(key, $"{path}.{key}", kind, problems) is { } setting
                    && SweptKeys.Read(scratch, setting, valueNode, $"{path}.{key}", problems) is { } value)
                {
                    settings.Add(KeyValuePair.Create(key, value));
                }
            }
            baselines.Add(new SweepBaseline(new ValueList<KeyValuePair<string, string>>(settings)));
        }
        return baselines;
    }
}
