namespace Asl.Distributed.Training.Data;

/// <summary>
/// What a reader left out under <see cref="BadRecordPolicy.Skip"/>: how many records and the messages of the first
/// few, for the caller to log or to show next to the training run.
/// </summary>
/// <param name="SkippedRecords">Records left out.</param>
/// <param name="Examples">Messages of the first skipped records (at most the reader's <c>MaxReportedExamples</c>).</param>
public sealed record DataSetLoadReport(int SkippedRecords, IReadOnlyList<string> Examples)
{
    /// <summary>A report with nothing skipped.</summary>
    public static DataSetLoadReport Clean { get; } = new(0, []);

    /// <summary>True when every record was used.</summary>
    public bool IsClean => SkippedRecords == 0;

    /// <inheritdoc />
    public override string ToString() => IsClean
        ? "no records skipped"
        : $"{SkippedRecords} record(s) skipped, first: {string.Join(" | ", Examples)}";
}
