using System.Net;
using System.Text;

namespace Asl.Distributed.Reports;

/// <summary>What every report page shares: its folder, the HTML around the content, and the figures in HTML and Markdown.</summary>
public static class ReportPage
{
    private const string Style = "body{font-family:sans-serif;margin:2em;max-width:1000px}table{border-collapse:collapse}"
        + "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td.l,th.l{text-align:left}img{max-width:100%}";

    /// <summary>Makes <paramref name="folder"/>; a <see cref="ReportException"/> names it (as <paramref name="what"/>) when that fails.</summary>
    public static void MakeFolder(string folder, string what)
    {
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ReportException($"{what} '{folder}' cannot be made: {e.Message}");
        }
    }

    /// <summary>HTML-encodes <paramref name="text"/>.</summary>
    public static string E(string text) => WebUtility.HtmlEncode(text);

    /// <summary>The page up to its body's content: the title, the style, and the heading with <paramref name="summary"/> below it.</summary>
    public static StringBuilder Start(string title, string summary) => new StringBuilder()
        .AppendLine($"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{E(title)}</title>")
        .AppendLine($"<style>{Style}</style>\n</head>\n<body>")
        .AppendLine($"<h1>{E(title)}</h1>\n<p>{E(summary)}</p>");

    /// <summary>Each plot as a figure with its caption.</summary>
    public static StringBuilder Figures(this StringBuilder html, IEnumerable<(string File, string Caption)> plots)
    {
        foreach (var (file, caption) in plots)
            html.AppendLine($"<figure><img src=\"{E(file)}\" alt=\"{E(caption)}\"><figcaption>{E(caption)}</figcaption></figure>");
        return html;
    }

    /// <summary>Closes the page.</summary>
    public static string End(this StringBuilder html) => html.AppendLine("</body>\n</html>").ToString();

    /// <summary>Each plot as a Markdown image with its caption below.</summary>
    public static StringBuilder MarkdownFigures(this StringBuilder md, IEnumerable<(string File, string Caption)> plots)
    {
        foreach (var (file, caption) in plots)
            md.AppendLine($"\n![{caption}]({file})\n\n{caption}");
        return md;
    }
}
