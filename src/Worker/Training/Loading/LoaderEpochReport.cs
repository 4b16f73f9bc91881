namespace Asl.Distributed.Training.Loading;

/// <summary>
/// What one epoch of a <see cref="MultiLabelLoader"/> delivered: batches, samples, skipped samples (the count and the
/// first few, in reading order) and the most batches that were prefetched at once.
/// </summary>
/// <param name="Epoch">The sampler's epoch.</param>
/// <param name="Completed">True when every batch was delivered; false when the epoch ended early.</param>
/// <param name="BatchCount">Batches handed to the consumer.</param>
/// <param name="SampleCount">Samples in those batches.</param>
/// <param name="SkippedCount">Samples dropped under <see cref="BadSamplePolicy.Skip"/>.</param>
/// <param name="FirstSkipped">The first skipped samples, up to <see cref="LoaderOptions.ReportedSkipLimit"/>.</param>
/// <param name="PeakBatchesInFlight">Most batches being built or waiting at one time (at most the prefetch depth).</param>
public sealed record LoaderEpochReport(
    int Epoch,
    bool Completed,
    int BatchCount,
    int SampleCount,
    int SkippedCount,
    IReadOnlyList<SkippedSample> FirstSkipped,
    int PeakBatchesInFlight);
