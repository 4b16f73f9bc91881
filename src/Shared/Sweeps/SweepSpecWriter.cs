using System.Globalization;
using Asl.Distributed.Configuration.Schema;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Asl.Distributed.Sweeps;

/// <summary>
/// Writes a spec as canonical YAML for storage: every field written out, defaults included, canonical spellings,
/// round-trip numbers and the base config inline, so that <see cref="SweepSpecReader.Parse"/> of the text gives an
/// equal spec, and a stored sweep never depends on the file it came from.
/// </summary>
public static class SweepSpecWriter
{
    public static string Write(SweepSpec spec)
    {
        var top = new YamlMappingNode();
        Add(top, "name", Text(spec.Name));
        Add(top, "config", BaseConfigText.Root(spec.BaseConfig));
        var space = new YamlMappingNode();
        foreach (var dimension in spec.SearchSpace)
            Add(space, dimension.Key, new YamlMappingNode(new YamlScalarNode(ConfigNames.ToName(dimension.Domain.Kind)), Arguments(dimension.Domain)));
        Add(top, "search_space", space);
        var baselines = new YamlSequenceNode();
        foreach (var baseline in spec.Baselines)
        {
            var settings = new YamlMappingNode();
            foreach (var (key, value) in baseline.Settings)
                Add(settings, key, SettingValueReader.ParseValueText(value));
            baselines.Add(settings);
        }
        Add(top, "baselines", baselines);
        Add(top, "algorithm", Algorithm(spec.Algorithm));
        Add(top, "metric", new YamlMappingNode(
            new YamlScalarNode("name"), new YamlScalarNode(ConfigNames.ToName(spec.Metric.Name)),
            new YamlScalarNode("mode"), new YamlScalarNode(ConfigNames.ToName(spec.Metric.Mode))));
        Add(top, "workers_per_trial", Number(spec.WorkersPerTrial));
        Add(top, "max_concurrent_trials", Number(spec.MaxConcurrentTrials));
        Add(top, "max_failures_per_trial", Number(spec.MaxFailuresPerTrial));
        Add(top, "seed", Number(spec.Seed));
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        new YamlStream(new YamlDocument(top)).Save(writer, assignAnchors: false);
        string text = writer.ToString();
        // YamlStream ends a document with "...": a spec file is one document, written without it.
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text;
    }

    private static YamlMappingNode Algorithm(SweepAlgorithm algorithm)
    {
        var node = new YamlMappingNode();
        Add(node, "kind", new YamlScalarNode(ConfigNames.ToName(algorithm.Kind)));
        switch (algorithm)
        {
            case RandomAlgorithm random:
                Add(node, "num_trials", Number(random.NumTrials));
                break;
            case AshaAlgorithm asha:
                if (asha.NumTrials is { } trials)
                    Add(node, "num_trials", Number(trials));
                Add(node, "reduction_factor", new YamlScalarNode(SettingKey.Format(asha.ReductionFactor)));
                Add(node, "grace_period", Number(asha.GracePeriod));
                Add(node, "max_epochs", Number(asha.MaxEpochs));
                break;
        }
        return node;
    }

    private static YamlSequenceNode Arguments(SearchDomain domain)
    {
        IEnumerable<YamlNode> items = domain switch
        {
            GridDomain or ChoiceDomain => domain.Listed!.Select(SettingValueReader.ParseValueText),
            UniformDomain u => [Real(u.Lower), Real(u.Upper)],
            LogUniformDomain l => [Real(l.Lower), Real(l.Upper)],
            RandIntDomain r => [Number(r.Lower), Number(r.Upper)],
            QRandIntDomain q => [Number(q.Lower), Number(q.Upper), Number(q.Q)],
            _ => throw new ArgumentOutOfRangeException(nameof(domain), domain, "not a search domain"),
        };
        return new YamlSequenceNode(items) { Style = SequenceStyle.Flow };
    }

    private static void Add(YamlMappingNode mapping, string key, YamlNode value) => mapping.Children[new YamlScalarNode(key)] = value;

    // A name YAML would read as null ("null", "~") is quoted so that it reads back as the text it is.
    private static YamlScalarNode Text(string text) => new(text) { Style = SettingValueReader.IsNull(new YamlScalarNode(text)) ? ScalarStyle.SingleQuoted : ScalarStyle.Any };

    private static YamlScalarNode Real(double value) => new(SettingKey.Format(value));

    private static YamlScalarNode Number(long value) => new(value.ToString(CultureInfo.InvariantCulture));
}
