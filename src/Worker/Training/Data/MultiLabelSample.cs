namespace Asl.Distributed.Training.Data;

/// <summary>
/// One image of a multi-label data set: where its file is, which classes it shows (indices into the data set's
/// class list, ascending, no duplicates) and where the record came from, for error messages.
/// </summary>
/// <param name="ImagePath">Absolute path of the image file.</param>
/// <param name="Labels">Class indices present in the image, ascending.</param>
/// <param name="Record">The annotation record this sample came from (for example "image id 139" or "line 12").</param>
public sealed record MultiLabelSample(string ImagePath, int[] Labels, string Record);
