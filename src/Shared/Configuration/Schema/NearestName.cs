namespace Asl.Distributed.Configuration.Schema;

/// <summary>"Did you mean" for a misspelt key, field or domain: the allowed name within two edits, if any.</summary>
internal static class NearestName
{
    /// <summary>" (did you mean X?)", or "" when no allowed name is near <paramref name="written"/>.</summary>
    public static string Hint(string written, IEnumerable<string> allowed)
    {
        string? near = allowed.OrderBy(a => Distance(a, written)).FirstOrDefault();
        return near is not null && Distance(near, written) <= 2 ? $" (did you mean {near}?)" : "";
    }

    // Levenshtein distance over one row, case-insensitive (names are matched that way).
    private static int Distance(string a, string b)
    {
        a = a.ToLowerInvariant();
        b = b.ToLowerInvariant();
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
