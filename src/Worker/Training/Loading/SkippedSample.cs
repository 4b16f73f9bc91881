namespace Asl.Distributed.Training.Loading;

/// <summary>A sample dropped under <see cref="BadSamplePolicy.Skip"/>: which one, its file and record, and why.</summary>
/// <param name="SampleIndex">Index in the data set.</param>
/// <param name="ImagePath">The image file.</param>
/// <param name="Record">The sample's annotation record.</param>
/// <param name="Reason">The decode error's message.</param>
public sealed record SkippedSample(int SampleIndex, string ImagePath, string Record, string Reason);
