using Asl.Distributed.Configuration.Training;

namespace Asl.Distributed.Runs;

/// <summary>A run has its data, models and (when resuming) its checkpoint, and is about to train.</summary>
/// <param name="Config">The resolved config the run uses (recorded in config.yaml).</param>
/// <param name="Rank">This process's rank (0 for a single process).</param>
/// <param name="WorldSize">How many ranks train together.</param>
/// <param name="ResumedFrom">Where a resumed run continues from, or null for a fresh run.</param>
/// <param name="ClassNames">The data set's classes, in the order of per-class metrics.</param>
/// <param name="BatchesPerEpoch">Optimizer steps per epoch.</param>
/// <param name="Epochs">The last epoch this run will train (schedule.stop_epoch or schedule.epochs).</param>
/// <param name="OutputFolder">Where rank 0 writes the run's files.</param>
public sealed record RunStarted(TrainingConfig Config, int Rank, int WorldSize, ResumePoint? ResumedFrom, IReadOnlyList<string> ClassNames,
    int BatchesPerEpoch, int Epochs, string OutputFolder) : RunEvent;
