namespace Asl.Distributed.Training.Data;

/// <summary>Helpers the readers share for turning collected labels into a sample's label array.</summary>
internal static class LabelLists
{
    /// <summary>The labels ascending without repeats (an image with two cats has the label "cat" once).</summary>
    public static int[] SortedDistinct(List<int>? labels)
    {
        if (labels is null || labels.Count == 0)
            return [];
        labels.Sort();
        int count = 1;
        for (int i = 1; i < labels.Count; i++)
        {
            if (labels[i] != labels[count - 1])
                labels[count++] = labels[i];
        }

        return labels.GetRange(0, count).ToArray();
    }

    /// <summary>Allowed values for an error message, shortened when a list has thousands of entries.</summary>
    public static string DescribeAllowed(IEnumerable<string> values, int shown = 100)
    {
        var all = values.ToList();
        string head = string.Join(", ", all.Take(shown));
        return all.Count > shown ? $"{head}, … ({all.Count} in all)" : head;
    }
}
