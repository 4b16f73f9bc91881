namespace Asl.Distributed.Training.Data;

/// <summary>Settings of <see cref="ListDataset"/>.</summary>
public sealed class ListOptions : DataSetReaderOptions
{
    /// <summary>CSV, JSON lines, or decided from the file's extension.</summary>
    public ListFormat Format { get; init; } = ListFormat.Auto;

    /// <summary>
    /// A file with one class name per line, in label-index order. When neither this nor <see cref="ClassNames"/> is
    /// given, classes are collected from the data in order of first appearance.
    /// </summary>
    public string? ClassListFile { get; init; }

    /// <summary>The class names in label-index order, given directly instead of in a file.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (!Enum.IsDefined(Format))
            throw new ArgumentException($"{nameof(Format)} is {(int)Format}; allowed: {string.Join(", ", Enum.GetNames<ListFormat>())}.", nameof(Format));
        if (ClassListFile is not null && ClassNames is not null)
            throw new ArgumentException($"Both {nameof(ClassListFile)} and {nameof(ClassNames)} are set; give one of them or neither.", nameof(ClassNames));
        if (ClassListFile is { Length: 0 })
            throw new ArgumentException($"{nameof(ClassListFile)} is empty; give a path or leave it null.", nameof(ClassListFile));
    }
}
