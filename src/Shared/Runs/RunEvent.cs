namespace Asl.Distributed.Runs;

/// <summary>
/// What a training run reports to its observers, in order: <see cref="RunStarted"/>, then per epoch
/// <see cref="BatchProgress"/> (rate-limited), <see cref="EpochCompleted"/> and <see cref="CheckpointWritten"/>,
/// and last <see cref="RunFinished"/> or <see cref="RunFailed"/>. Every rank of a data-parallel run reports; the
/// metrics are those of the whole global batch and the whole validation set on every rank.
/// </summary>
public abstract record RunEvent;
