using System.Text;

namespace Asl.Distributed.Configuration.Schema;

/// <summary>The key schema as a table for people: plain text for a terminal, Markdown for the README.</summary>
public static class KeyTable
{
    private static readonly string[] Header = ["key", "type", "default", "allowed", "description"];

    /// <summary>Aligned columns, one key per line.</summary>
    public static string Text(ConfigSchema schema)
    {
        var rows = Rows(schema).Prepend(Header).ToList();
        int[] widths = Enumerable.Range(0, Header.Length - 1).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            for (int c = 0; c < widths.Length; c++)
                text.Append(row[c].PadRight(widths[c] + 2));
            text.Append(row[^1]).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>A Markdown table (the README's settings reference is this text).</summary>
    public static string Markdown(ConfigSchema schema)
    {
        var text = new StringBuilder();
        text.Append("| key | type | default | allowed | description |\n|---|---|---|---|---|\n");
        foreach (var row in Rows(schema))
            text.Append("| ").Append(string.Join(" | ", row.Select((cell, c) => c == 0 ? $"`{cell}`" : Escape(cell)))).Append(" |\n");
        return text.ToString();
    }

    private static IEnumerable<string[]> Rows(ConfigSchema schema) =>
        schema.Keys.Select(k => new[] { k.Path, k.TypeName, k.Kind == SettingKind.Text && k.Default == "null" ? "none" : k.Default, k.Allowed, k.Description });

    private static string Escape(string cell) => cell.Replace("|", "\\|", StringComparison.Ordinal);
}
