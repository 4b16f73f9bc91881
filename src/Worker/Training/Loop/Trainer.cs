using Asl.Distributed.Configuration;
using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Runs;
using Asl.Distributed.Training.Collectives;
using Asl.Distributed.Training.Data;
using Asl.Distributed.Training.DataParallel;
using Asl.Distributed.Training.Devices;
using Asl.Distributed.Training.Events;
using Asl.Distributed.Training.Telemetry;
using Asl.Distributed.Training.Images;
using Asl.Distributed.Training.Loading;
using Asl.Distributed.Training.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Loop;

/// <summary>
/// Trains one model with the official ASL recipe: Adam with coupled weight decay on weights only, the OneCycle
/// schedule with β1 cycling, an EMA of weights and buffers updated every step, validation of the regular and the
/// EMA model every epoch, a checkpoint at every epoch end (the best by mAP kept beside the last) and exact resume
/// from the last one. With a <see cref="ProcessGroup"/> of several ranks it trains data-parallel: every rank starts
/// from rank 0's weights, computes gradients on its shard of each global batch, the gradients are summed over the
/// ranks (averaged for mean-reduced losses, so the step equals the one-process step on the global batch), every
/// rank applies the same step, validation runs on the whole set, and rank 0 alone writes the run's files. The run
/// reports <see cref="RunEvent"/>s to its observers; one of them may ask it to stop after an epoch.
/// </summary>
public sealed class Trainer
{
    private readonly TrainingConfig _config;
    private readonly Func<nn.Module<Tensor, Tensor>> _createModel;
    private readonly RunData _data;
    private readonly TrainerServices _services;
    private readonly ProcessGroup _group;
    private readonly RunFiles _files;
    private readonly TrainerLog _log;
    private readonly TrainingMetrics _metrics;

    /// <summary>
    /// Prepares a run. <paramref name="createModel"/> builds a fresh model (pretrained weights applied); it is called
    /// again for the EMA and the low-precision copies.
    /// </summary>
    public Trainer(TrainingConfig config, Func<nn.Module<Tensor, Tensor>> createModel, RunData data, TrainerServices? services = null)
    {
        _config = config.Validate();
        _createModel = createModel;
        _data = data;
        _services = services ?? new TrainerServices();
        _group = _services.Group ?? ProcessGroup.Single();
        _files = new RunFiles(config.Output.Dir);
        _log = new TrainerLog(_services.Logger);
        _metrics = new TrainingMetrics(_services.SweepId, _services.TrialId, _group.Rank);
    }

    /// <summary>
    /// Runs (or, with <paramref name="resume"/> and a last checkpoint present, continues) the training. Returns the
    /// summary of a run that completed or stopped on request; throws when it failed, lost a peer
    /// (<see cref="CollectiveException"/>) or was cancelled (<see cref="OperationCanceledException"/>), after
    /// reporting <see cref="RunFailed"/>. An unexpected error is thrown as a <see cref="RunFailedException"/> naming
    /// the epoch and batch; the last checkpoint stays intact in every case.
    /// </summary>
    public TrainingSummary Run(bool resume, CancellationToken cancellationToken = default)
    {
        var observers = _group.IsRoot ? [new MetricsFileObserver(_files), new TrainingMetricsObserver(_metrics), .. _services.Observers] : _services.Observers;
        var events = new RunEvents(observers, _services.Control);
        var position = new RunPosition();
        string? lastCheckpoint = resume && File.Exists(_files.LastCheckpoint) ? _files.LastCheckpoint : null;
        try
        {
            return Train(resume, events, position, written => lastCheckpoint = written, cancellationToken);
        }
        catch (Exception e)
        {
            var (reason, error) = e switch
            {
                OperationCanceledException => (RunExitReason.Interrupted, "interrupted"),
                CollectiveException => (RunExitReason.PeerLost, e.Message),
                _ when IsExpected(e) => (RunExitReason.Failed, e.Message),
                _ => (RunExitReason.Failed, new RunFailedException(position.Describe(), e).Message),
            };
            events.Publish(new RunFailed(reason, error, position.Epoch == 0 ? null : position.Epoch, position.Batch == 0 ? null : position.Batch,
                lastCheckpoint));
            if (reason == RunExitReason.Failed && !IsExpected(e))
                throw new RunFailedException(position.Describe(), e);
            throw;
        }
    }

    private TrainingSummary Train(bool resume, RunEvents events, RunPosition position, Action<string> checkpointWritten, CancellationToken cancellationToken)
    {
        long started = _services.Time.GetTimestamp();
        bool root = _group.IsRoot;
        if (root)
            Directory.CreateDirectory(_files.Folder);
        var device = _services.Device ?? DeviceResolver.ForThisProcess(_config.Run.Device, _group.Rank);
        using var models = TrainingModels.Create(_config, _createModel, _group, device);
        var train = DeviceBatches.On(_data.Train, device);
        var validationBatches = DeviceBatches.On(_data.Validation, device);
        var schedule = new StepSchedule(_config, (long)_config.Schedule.Epochs * _data.Train.BatchesPerEpoch);
        var validator = new Validator(models.Loss, _data.ClassCount,
            _config.Run.MapPolicy == MapPolicy.CountAsZero ? NoPositiveClassPolicy.CountAsZero : NoPositiveClassPolicy.Exclude, _config.Run.Threshold);
        string configYaml = TrainingConfigLoader.ToYaml(_config);
        var resolved = TrainingConfigLoader.Parse(configYaml);
        var (state, history) = Restore(resume, models, configYaml, cancellationToken);
        if (root)
            File.WriteAllText(_files.Config, configYaml);
        ModelSync.BroadcastState(_group, models.Model, cancellationToken);
        if (models.Ema is not null)
            ModelSync.BroadcastState(_group, models.Ema.Ema, cancellationToken);

        int epochs = _config.Schedule.EpochsToRun;
        events.Publish(new RunStarted(resolved, _group.Rank, _group.WorldSize,
            state.Epoch > 0 ? new ResumePoint(state.Epoch, state.Step, _files.LastCheckpoint) : null, _data.ClassNames,
            _data.Train.BatchesPerEpoch, epochs, _files.Folder));
        var step = new TrainingStep(models, schedule, _group, _config.Run.NanPolicy, _services.Time, _metrics);
        var epochTraining = new TrainingEpoch(step, train, schedule, events, _services.Time, _metrics);
        var validation = new EpochValidation(models, validator, validationBatches, _group, _config.Run.NanPolicy);
        var checkpoints = new RunCheckpoints(_files, events);
        string? stopReason = null;
        for (int epoch = state.Epoch + 1; epoch <= epochs && stopReason is null; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            (position.Epoch, position.Batch) = (epoch, 0);
            using var epochSpan = TrainingSpans.Epoch(epoch, _group.Rank, _services.TrialId);
            var communication = _group.AllReduceTime;
            var trained = epochTraining.Run(epoch, epochs, state.Step, state.SkippedSteps, position, cancellationToken);
            position.Batch = 0;
            if (root && _data.Train.SkippedSummary is { Length: > 0 } skippedImages)
                _log.SkippedImages(skippedImages);
            long validating = _services.Time.GetTimestamp();
            var (regular, averaged) = validation.Run(epoch, cancellationToken);
            var metrics = EpochMetricsOf(epoch, trained, regular, averaged, schedule, models,
                (_group.AllReduceTime - communication).TotalSeconds, _services.Time.GetElapsedTime(validating).TotalSeconds);
            history.Add(metrics);
            TrainingSpans.Completed(epochSpan, metrics);
            double best = metrics.BestMap;
            bool improved = !double.IsNaN(best) && (double.IsNaN(state.BestMap) || best > state.BestMap);
            state = state with
            {
                Epoch = epoch,
                Step = trained.Step,
                BestMap = improved ? best : state.BestMap,
                BestEpoch = improved ? epoch : state.BestEpoch,
                AdaptiveAsymmetry = models.Adaptive?.State.ToJson(),
                TorchRngState = Convert.ToBase64String(torch.get_rng_state().bytes.ToArray()),
                SkippedSteps = trained.SkippedSteps,
                LossScaler = models.Scaler?.State,
            };
            events.Publish(new EpochCompleted(metrics, epochs));
            if (root)
            {
                checkpoints.Write(state, models, improved);
                checkpointWritten(_files.LastCheckpoint);
            }
            stopReason = AgreedStop(events.Control, cancellationToken);
        }

        var summary = new TrainingSummary(state.Epoch, state.Step, state.BestMap, state.BestEpoch, _files.BestCheckpoint, _files.LastCheckpoint,
            history, state.SkippedSteps, _services.Time.GetElapsedTime(started).TotalSeconds,
            stopReason is null ? RunExitReason.Completed : RunExitReason.Stopped, stopReason, _data.ClassNames);
        // No rank leaves while another may still need it (rank 0 is writing the last checkpoint meanwhile).
        _group.BarrierAsync(cancellationToken).GetAwaiter().GetResult();
        events.Publish(new RunFinished(summary));
        return summary;
    }

    private (CheckpointState State, List<EpochMetrics> History) Restore(bool resume, TrainingModels models, string configYaml, CancellationToken cancellationToken)
    {
        var state = new CheckpointState(0, 0, configYaml, double.NaN, 0, null, "", 0);
        var history = new List<EpochMetrics>();
        using var checkpoint = CheckpointShare.Open(_group, resume ? _files.LastCheckpoint : null, cancellationToken);
        if (checkpoint.Path is { } path)
        {
            // Rank 0 restores from the run folder (and trims its metrics); the others from the copy rank 0 sent them.
            var files = _group.IsRoot ? _files : new RunFiles(Path.GetDirectoryName(path)!);
            state = RunResume.Restore(files, configYaml, models.Model, models.Ema?.Ema, models.Optimizer, models.Adaptive, models.Scaler, history);
            if (_group.IsRoot)
                _log.Resuming(state.Epoch, state.Step, _files.LastCheckpoint);
        }
        else if (_group.IsRoot)
        {
            File.WriteAllText(_files.Metrics, "");
        }
        return (state, history);
    }

    private EpochMetrics EpochMetricsOf(int epoch, EpochTraining trained, ValidationResult regular, ValidationResult? averaged, StepSchedule schedule,
        TrainingModels models, double communicationSeconds, double validationSeconds) =>
        new(epoch, trained.Step, trained.Loss, schedule.LearningRate(Math.Max(0, trained.Step - 1)), regular.Map, averaged?.Map ?? double.NaN,
            regular.Loss, regular.Cf1, regular.Of1, regular.ProbGap, models.Loss.GammaNeg, trained.Images / Math.Max(trained.Seconds, 1e-9),
            trained.Seconds + validationSeconds, trained.SkippedSteps, _group.WorldSize, communicationSeconds / Math.Max(trained.Seconds, 1e-9),
            regular.Diverged || averaged?.Diverged == true, regular.ClassAp, averaged?.ClassAp,
            new EpochDurations(trained.DataWaitSeconds, trained.ForwardBackwardSeconds, trained.ExchangeWaitSeconds, validationSeconds));

    /// <summary>A stop asked on any rank stops every rank after the same epoch.</summary>
    private string? AgreedStop(RunControl control, CancellationToken cancellationToken)
    {
        if (_group.WorldSize == 1)
            return control.StopReason;
        var votes = _group.SumDoublesAsync([control.StopRequested ? 1 : 0], cancellationToken).GetAwaiter().GetResult();
        return votes[0] > 0 ? control.StopReason ?? "a stop was requested on another rank" : null;
    }

    private static bool IsExpected(Exception e) => e is DataSetException or SampleLoadException or ImageDecodeException or NonFiniteLossException
        or NonFiniteScoresException or CheckpointException or ConfigException or NotSupportedException;
}
