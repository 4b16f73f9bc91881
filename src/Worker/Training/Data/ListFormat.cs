namespace Asl.Distributed.Training.Data;

/// <summary>The layout of a plain list file read by <see cref="ListDataset"/>.</summary>
public enum ListFormat
{
    /// <summary>Decide from the extension: <c>.csv</c> is CSV; <c>.jsonl</c>, <c>.ndjson</c> and <c>.json</c> are JSON lines.</summary>
    Auto,

    /// <summary>A header row naming the columns <c>image</c> and <c>labels</c>; labels separated by <c>;</c> or <c>|</c>.</summary>
    Csv,

    /// <summary>One object per line: <c>{"image": "a.jpg", "labels": ["cat", "dog"]}</c>.</summary>
    JsonLines,
}
