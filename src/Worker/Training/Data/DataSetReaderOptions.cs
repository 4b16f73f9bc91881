namespace Asl.Distributed.Training.Data;

/// <summary>Settings every data-set reader shares: naming, the bad-record policy and the up-front image check.</summary>
public abstract class DataSetReaderOptions
{
    /// <summary>The data set's name in logs and records; null takes the annotation file's or folder's name.</summary>
    public string? Name { get; init; }

    /// <summary>Whether a bad record fails the load (the default) or is skipped and counted.</summary>
    public BadRecordPolicy BadRecordPolicy { get; init; } = BadRecordPolicy.Fail;

    /// <summary>
    /// Check that every image file exists while reading, naming the missing ones. Off by default: the loader finds
    /// a missing file when it decodes it, and a stat per image is slow on network storage.
    /// </summary>
    public bool VerifyImagesExist { get; init; }

    /// <summary>How many skipped-record messages the report keeps (5 by default).</summary>
    public int MaxReportedExamples { get; init; } = 5;

    /// <summary>Throws when a setting is out of range, naming it and the allowed values.</summary>
    public virtual void Validate()
    {
        if (!Enum.IsDefined(BadRecordPolicy))
            throw new ArgumentException($"{nameof(BadRecordPolicy)} is {(int)BadRecordPolicy}; allowed: {string.Join(", ", Enum.GetNames<BadRecordPolicy>())}.", nameof(BadRecordPolicy));
        if (MaxReportedExamples < 0)
            throw new ArgumentException($"{nameof(MaxReportedExamples)} is {MaxReportedExamples}; it must be 0 or more.", nameof(MaxReportedExamples));
        if (Name is { Length: 0 })
            throw new ArgumentException($"{nameof(Name)} is empty; give a name or leave it null.", nameof(Name));
    }

    internal BadRecordLog CreateLog(string filePath) => new(filePath, BadRecordPolicy, MaxReportedExamples);
}
