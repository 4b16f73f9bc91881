using Asl.Distributed.Configuration;
using Asl.Distributed.Configuration.Schema;
using Asl.Distributed.Configuration.Training;
using YamlDotNet.RepresentationModel;

namespace Asl.Distributed.Sweeps;

/// <summary>
/// The training keys a search space or a baseline sets, checked against the key schema: unknown keys get the
/// schema's own "did you mean"; values are read and range-checked by the schema on a scratch copy of the base
/// config (so no range is written twice) and come back in their canonical spelling.
/// </summary>
internal static class SweptKeys
{
    /// <summary>The setting at <paramref name="key"/>, or null with the problem (reported at <paramref name="path"/>) added.</summary>
    public static SettingKey? Find(string key, string path, SweepAlgorithmKind kind, List<ConfigProblem> problems)
    {
        var schema = TrainingConfig.Schema;
        var found = schema.Find(key);
        if (found is { Kind: not SettingKind.Section })
        {
            if (!TrialPlanner.OwnedKeys(kind).Contains(key))
                return found;
            problems.Add(new ConfigProblem(path,
                "is set by the sweep under asha (schedule.epochs = algorithm.max_epochs and schedule.stop_epoch = 0: every trial gets the full schedule and ASHA stops it early); allowed: any other training key"));
            return null;
        }
        if (found is not null || schema.Sections.Contains(key))
        {
            problems.Add(new ConfigProblem(path,
                $"is a section, not a setting; allowed: one of its keys ({string.Join(", ", schema.ChildNames(key).Select(n => $"{key}.{n}"))})"));
            return null;
        }
        // Setting the unknown key on a throw-away config gives the schema's own message, "did you mean" included.
        var probe = new TrainingConfig().Set(key, "0").FirstOrDefault();
        string why = probe is null ? "" : probe.Key == key ? probe.Message : $"{probe.Key}: {probe.Message}";
        problems.Add(new ConfigProblem(path, $"is not a training key: {why}"));
        return null;
    }

    /// <summary>
    /// Sets <paramref name="key"/> on <paramref name="scratch"/> from <paramref name="value"/>; returns the canonical
    /// text, or null with the schema's problems added at <paramref name="path"/> (a list item's index kept after it).
    /// </summary>
    public static string? Read(TrainingConfig scratch, SettingKey key, YamlNode value, string path, List<ConfigProblem> problems, string note = "")
    {
        var found = new List<ConfigProblem>();
        ConfigReader.Set(scratch, TrainingConfig.Schema, key.Path, value, found);
        if (found.Count == 0)
            return Canonical(key.GetValue(scratch));
        foreach (var problem in found)
        {
            string tail = problem.Key.StartsWith(key.Path, StringComparison.Ordinal) ? problem.Key[key.Path.Length..] : "";
            problems.Add(new ConfigProblem(path + tail, problem.Message + note));
        }
        return null;
    }

    /// <summary>
    /// The value as a trial's setting text, which <see cref="TrainingConfig.Set"/> reads as YAML: canonical spelling,
    /// and text that YAML would read otherwise ("#x", "a: b", "null", "") single-quoted.
    /// </summary>
    private static string Canonical(object? value)
    {
        string text = SettingKey.Format(value);
        if (value is not string raw)
            return text;
        var node = SettingValueReader.ParseValueText(text);
        bool readsBack = node is YamlScalarNode scalar && scalar.Value == raw && !SettingValueReader.IsNull(scalar);
        return readsBack ? text : $"'{raw.Replace("'", "''", StringComparison.Ordinal)}'";
    }
}
