namespace Asl.Distributed.Runs;

/// <summary>
/// Progress within an epoch: mean training loss of the batches so far, the current learning rate, throughput and the
/// time left for the whole run. Sent at each tenth of an epoch, at its last batch, and at least every few seconds
/// in between, never for every batch.
/// </summary>
public sealed record BatchProgress(int Epoch, int Epochs, int Batch, int Batches, double MeanLoss, double LearningRate, double ImagesPerSecond,
    TimeSpan RemainingTime) : RunEvent;
