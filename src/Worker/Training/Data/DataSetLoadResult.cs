namespace Asl.Distributed.Training.Data;

/// <summary>A data set as read, with the report of the records that were skipped on the way.</summary>
/// <param name="Dataset">The index of images and labels.</param>
/// <param name="Report">Records left out under <see cref="BadRecordPolicy.Skip"/>; clean under <see cref="BadRecordPolicy.Fail"/>.</param>
public sealed record DataSetLoadResult(MultiLabelDataset Dataset, DataSetLoadReport Report);
