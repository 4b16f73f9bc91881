using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Asl.Distributed.Sweeps;

/// <summary>
/// Finds where a problem's path (<c>search_space.loss.gamma_neg.uniform[1]</c>, <c>baselines[0].loss.preset</c>)
/// lies in the spec's YAML, so that its message can give the line and column. Mapping keys may themselves hold dots
/// (the search space's keys), so the longest key that starts the rest of the path is taken; a path that goes past
/// what the file holds (a missing field) stops at the deepest node it found.
/// </summary>
internal static class YamlLocator
{
    /// <summary>" (line L, column C)" of the node at <paramref name="path"/>, or "" when it is the document itself.</summary>
    public static string Where(YamlNode root, string path)
    {
        var node = Locate(root, path);
        return ReferenceEquals(node, root) ? "" : $" (line {node.Start.Line}, column {node.Start.Column})";
    }

    public static YamlNode Locate(YamlNode root, string path)
    {
        var node = root;
        string rest = path;
        while (rest.Length > 0)
        {
            if (rest[0] == '[' && node is YamlSequenceNode sequence)
            {
                int close = rest.IndexOf(']', StringComparison.Ordinal);
                if (close < 0 || !int.TryParse(rest[1..close], NumberStyles.None, CultureInfo.InvariantCulture, out int index) || index >= sequence.Children.Count)
                    break;
                node = sequence.Children[index];
                rest = rest[(close + 1)..].TrimStart('.');
            }
            else if (node is YamlMappingNode mapping && Longest(mapping, rest) is var (key, value))
            {
                node = value;
                rest = rest[key.Length..].TrimStart('.');
            }
            else
            {
                break;
            }
        }
        return node;
    }

    private static (string Key, YamlNode Value)? Longest(YamlMappingNode mapping, string rest)
    {
        (string Key, YamlNode Value)? best = null;
        foreach (var (keyNode, value) in mapping.Children)
        {
            string key = (keyNode as YamlScalarNode)?.Value ?? "";
            bool starts = key.Length > 0 && rest.StartsWith(key, StringComparison.Ordinal)
                && (rest.Length == key.Length || rest[key.Length] is '.' or '[');
            if (starts && (best is null || key.Length > best.Value.Key.Length))
                best = (key, value);
        }
        return best;
    }
}
