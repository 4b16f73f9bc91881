using System.Diagnostics;
using System.Text.Json;
using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Losses;
using Asl.Distributed.Training.Collectives;
using Asl.Distributed.Training.DataParallel;
using Asl.Distributed.Training.Losses;
using Asl.Distributed.Training.Metrics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Loop;

/// <summary>
/// Trains one model on one worker with the official ASL recipe: Adam with coupled weight decay on weights only,
/// the OneCycle schedule with β1 cycling, an EMA of weights and buffers updated every step, validation of the
/// regular and the EMA model every epoch, a checkpoint at every epoch end (the best by mAP kept beside the last)
/// and exact resume from the last one. With a <see cref="ProcessGroup"/> of several ranks it trains data-parallel:
/// every rank starts from rank 0's weights, computes gradients on its shard of each global batch, the gradients
/// are summed over the ranks (averaged for mean-reduced losses, so the step equals the one-process step on the
/// global batch), every rank applies the same step, validation runs on the whole set through an all-gather, and
/// rank 0 alone writes the run's files.
/// </summary>
public sealed class Trainer
{
    private readonly TrainingConfig _config;
    private readonly Func<nn.Module<Tensor, Tensor>> _createModel;
    private readonly IEpochBatches _train;
    private readonly IEpochBatches _validation;
    private readonly int _classCount;
    private readonly TextWriter _progress;
    private readonly RunFiles _files;
    private readonly ProcessGroup _group;
    private readonly long _bucketBytes;
    private readonly bool _overlap;

    /// <summary>
    /// Prepares a run. <paramref name="createModel"/> builds a fresh model (pretrained weights applied); it is called
    /// a second time for the EMA copy. With <paramref name="group"/> of several ranks, <paramref name="train"/> and
    /// <paramref name="validation"/> are this rank's shards.
    /// </summary>
    public Trainer(TrainingConfig config, Func<nn.Module<Tensor, Tensor>> createModel, IEpochBatches train, IEpochBatches validation,
        int classCount, TextWriter progress, ProcessGroup? group = null, long bucketBytes = GradientBuckets.DefaultBucketBytes, bool overlap = true)
    {
        _group = group ?? ProcessGroup.Single();
        _bucketBytes = bucketBytes;
        _overlap = overlap;
        _config = config.Validate();
        _createModel = createModel;
        _train = train;
        _validation = validation;
        _classCount = classCount;
        _progress = progress;
        _files = new RunFiles(config.Output.Dir);
    }

    /// <summary>Runs (or, with <paramref name="resume"/> and a last checkpoint present, continues) the training.</summary>
    public TrainingSummary Run(bool resume, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        bool root = _group.IsRoot;
        if (root)
            Directory.CreateDirectory(_files.Folder);
        torch.manual_seed(_config.Seed);
        var model = _createModel();
        model.train();
        var ema = _config.Run.EmaDecay > 0 ? new ModelEma(_createModel(), model, _config.Run.EmaDecay) : null;
        var lossOptions = _config.Loss.ToOptions();
        var adaptive = lossOptions.Adaptive is null ? null : new AdaptiveAsymmetry(lossOptions.Adaptive, lossOptions.GammaNeg);
        using var loss = new AsymmetricLoss(lossOptions, adaptive: adaptive);
        var optimizer = CreateOptimizer(model, _config);
        var lowPrecision = _config.Run.Precision switch
        {
            "bfloat16" => new LowPrecisionCompute(model, _createModel(), ScalarType.BFloat16),
            "float16" => new LowPrecisionCompute(model, _createModel(), ScalarType.Float16),
            _ => null,
        };
        // After LowPrecisionCompute, which gives the master weights gradients of their own: the views replace them.
        using var buckets = _group.WorldSize > 1 ? new GradientBuckets(model.parameters(), _bucketBytes) : null;
        bool average = loss.Options.Reduction is LossReduction.Mean or LossReduction.BatchMean;
        // With a low-precision compute copy the master gradients appear only after backward: nothing to overlap.
        using var overlap = buckets is not null && _overlap && lowPrecision is null ? new BackwardOverlap(model, buckets, _group, average) : null;
        var schedule = new StepSchedule(_config, (long)_config.Schedule.Epochs * _train.BatchesPerEpoch);
        var validator = new Validator(loss, _classCount,
            _config.Run.MapPolicy == "count-as-zero" ? NoPositiveClassPolicy.CountAsZero : NoPositiveClassPolicy.Exclude, _config.Run.Threshold);
        string configYaml = TrainingConfigLoader.ToYaml(_config);

        var state = new CheckpointState(0, 0, configYaml, double.NaN, 0, null, "", 0);
        var history = new List<EpochMetrics>();
        using (var checkpoint = CheckpointShare.Open(_group, resume ? _files.LastCheckpoint : null, cancellationToken))
        {
            if (checkpoint.Path is { } path)
            {
                // Rank 0 restores from the run folder (and trims its metrics); the others from the copy rank 0 sent them.
                var files = root ? _files : new RunFiles(Path.GetDirectoryName(path)!);
                state = RunResume.Restore(files, configYaml, model, ema?.Ema, optimizer, adaptive, history);
                if (root)
                    _progress.WriteLine($"resuming after epoch {state.Epoch} (step {state.Step}) from {_files.LastCheckpoint}");
            }
            else if (root)
            {
                File.WriteAllText(_files.Metrics, "");
            }
        }
        if (root)
            File.WriteAllText(_files.Config, configYaml);
        ModelSync.BroadcastState(_group, model, cancellationToken);
        if (ema is not null)
            ModelSync.BroadcastState(_group, ema.Ema, cancellationToken);

        int epochs = _config.Schedule.EpochsToRun;
        for (int epoch = state.Epoch + 1; epoch <= epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var epochClock = Stopwatch.StartNew();
            var communication = _group.AllReduceTime;
            var (trainLoss, images, step, skipped) = TrainEpoch(epoch, epochs, model, lowPrecision, new GradientExchange(buckets, overlap, average), ema, loss,
                adaptive, optimizer, schedule, state, cancellationToken);
            double trainSeconds = epochClock.Elapsed.TotalSeconds;
            double communicationShare = (_group.AllReduceTime - communication).TotalSeconds / Math.Max(trainSeconds, 1e-9);
            if (_train.SkippedSummary is { Length: > 0 } skippedImages)
                _progress.WriteLine(skippedImages);
            // BatchNorm statistics stay per rank while training, as DDP keeps them; every rank validates rank 0's.
            ModelSync.BroadcastBuffers(_group, model, cancellationToken);
            if (ema is not null)
                ModelSync.BroadcastBuffers(_group, ema.Ema, cancellationToken);
            var regular = validator.Evaluate(model, _validation, epoch, cancellationToken, _group);
            var averaged = ema is null ? null : validator.Evaluate((nn.Module<Tensor, Tensor>)ema.Ema, _validation, epoch, cancellationToken, _group);
            double best = Math.Max(regular.Map, averaged?.Map ?? double.NegativeInfinity);

            var metrics = new EpochMetrics(epoch, step, trainLoss, schedule.LearningRate(Math.Max(0, step - 1)), regular.Map,
                averaged?.Map ?? double.NaN, regular.Loss, regular.Cf1, regular.Of1, regular.ProbGap, loss.GammaNeg,
                images / Math.Max(trainSeconds, 1e-9), epochClock.Elapsed.TotalSeconds, skipped, _group.WorldSize, communicationShare);
            history.Add(metrics);

            bool improved = double.IsNaN(state.BestMap) || best > state.BestMap;
            state = state with
            {
                Epoch = epoch,
                Step = step,
                BestMap = improved ? best : state.BestMap,
                BestEpoch = improved ? epoch : state.BestEpoch,
                AdaptiveAsymmetry = adaptive?.State.ToJson(),
                TorchRngState = Convert.ToBase64String(torch.get_rng_state().bytes.ToArray()),
                SkippedSteps = skipped,
            };
            if (root)
            {
                File.AppendAllText(_files.Metrics, JsonSerializer.Serialize(metrics, CheckpointJson.Options) + "\n");
                CheckpointFile.Write(_files.LastCheckpoint, state, model, ema?.Ema, optimizer);
                if (improved)
                    CopyAtomically(_files.LastCheckpoint, _files.BestCheckpoint);
                _progress.WriteLine(EpochLine(metrics, epochs));
            }
        }

        var summary = new TrainingSummary(state.Epoch, state.Step, state.BestMap, state.BestEpoch, _files.BestCheckpoint,
            _files.LastCheckpoint, history, state.SkippedSteps, clock.Elapsed.TotalSeconds);
        if (root)
            File.WriteAllText(_files.Summary, JsonSerializer.Serialize(summary, CheckpointJson.Options));
        // No rank leaves while another may still need it (rank 0 is writing the last checkpoint meanwhile).
        _group.BarrierAsync(cancellationToken).GetAwaiter().GetResult();
        return summary;
    }

    private (double Loss, long Images, long Step, long Skipped) TrainEpoch(int epoch, int epochs, nn.Module<Tensor, Tensor> model,
        LowPrecisionCompute? lowPrecision, GradientExchange exchange, ModelEma? ema, AsymmetricLoss loss, AdaptiveAsymmetry? adaptive, Adam optimizer,
        StepSchedule schedule, CheckpointState state, CancellationToken cancellationToken)
    {
        long step = state.Step;
        long skipped = state.SkippedSteps;
        double lossSum = 0;
        long images = 0;
        int batch = 0;
        int reportEvery = Math.Max(1, _train.BatchesPerEpoch / 10);
        var (buckets, overlap, average) = exchange;
        var clock = Stopwatch.StartNew();
        foreach (var (x, y) in _train.Epoch(epoch, cancellationToken))
        {
            batch++;
            using var scope = NewDisposeScope();
            using (x)
            using (y)
            {
                schedule.Apply(optimizer, step);
                lowPrecision?.PushWeights();
                overlap?.BeginStep(cancellationToken);
                // The loss casts half-precision logits up: it is always computed in float32.
                var logits = lowPrecision is null ? model.forward(x) : lowPrecision.Model.forward(x.to(lowPrecision.DType));
                var value = loss.forward(logits, y);
                double lossValue = value.item<float>();
                long batchImages = x.shape[0];
                double[]? gapSums = null;
                step++;
                if (buckets is null && !double.IsFinite(lossValue))
                {
                    if (_config.Run.NanPolicy == "fail")
                        throw new NonFiniteLossException(epoch, batch, step - 1, lossValue);
                    skipped++;
                    continue;
                }
                if (lowPrecision is null)
                    optimizer.zero_grad();
                value.backward();
                lowPrecision?.PullGradientsAndBuffers();
                if (buckets is not null)
                {
                    // Every rank takes part even with a non-finite local loss; the global loss decides for all of them alike.
                    (overlap?.FinishAsync() ?? buckets.AllReduceAsync(_group, average, cancellationToken)).GetAwaiter().GetResult();
                    var local = new double[2 + (adaptive is null ? 0 : AdaptiveAsymmetry.GapSumCount)];
                    (local[0], local[1]) = (lossValue, batchImages);
                    if (adaptive is not null)
                        AdaptiveAsymmetry.GapSums(logits.detach(), y).CopyTo(local, 2);
                    var global = _group.SumDoublesAsync(local, cancellationToken).GetAwaiter().GetResult();
                    (lossValue, batchImages) = (average ? global[0] / _group.WorldSize : global[0], (long)global[1]);
                    gapSums = adaptive is null ? null : global[2..];
                    if (!double.IsFinite(lossValue))
                    {
                        if (_config.Run.NanPolicy == "fail")
                            throw new NonFiniteLossException(epoch, batch, step - 1, lossValue);
                        skipped++;
                        continue;
                    }
                }
                optimizer.step();
                ema?.Update();
                if (adaptive is not null)
                {
                    if (gapSums is null)
                        adaptive.Step(logits.detach(), y);
                    else
                        adaptive.Update(AdaptiveAsymmetry.ProbabilityGap(gapSums));
                }
                lossSum += lossValue;
                images += batchImages;
            }
            if (_group.IsRoot && (batch % reportEvery == 0 || batch == _train.BatchesPerEpoch))
                _progress.WriteLine(ProgressLine(epoch, epochs, batch, lossSum / Math.Max(1, batch - (skipped - state.SkippedSteps)),
                    schedule.LearningRate(step - 1), images, clock.Elapsed, (long)(epochs - epoch) * _train.BatchesPerEpoch + _train.BatchesPerEpoch - batch));
        }
        int trained = batch - (int)(skipped - state.SkippedSteps);
        return (trained == 0 ? double.NaN : lossSum / trained, images, step, skipped);
    }

    /// <summary>Adam over the two parameter groups (weight decay on weights only), as the run configures it.</summary>
    internal static Adam CreateOptimizer(nn.Module model, TrainingConfig config)
    {
        var (decay, noDecay) = ParameterGroups.Split(model);
        var o = config.Optimizer;
        double beta1 = config.Schedule.Kind == "onecycle" && config.Schedule.CycleMomentum ? config.Schedule.MaxMomentum : 0.9;
        return new Optimizers.Adam( // TorchSharp's Adam, minus the Scalars a finalizer can free mid-step (issue 15)
        [
            new Adam.ParamGroup(decay.Select(p => p.Parameter), o.Lr, beta1, o.Beta2, o.AdamEps, o.WeightDecay),
            new Adam.ParamGroup(noDecay.Select(p => p.Parameter), o.Lr, beta1, o.Beta2, o.AdamEps, 0),
        ], o.Lr, beta1, o.Beta2, o.AdamEps);
    }

    private string ProgressLine(int epoch, int epochs, int batch, double meanLoss, double lr, long images, TimeSpan elapsed, long batchesLeft)
    {
        double perSecond = images / Math.Max(elapsed.TotalSeconds, 1e-9);
        double secondsPerBatch = elapsed.TotalSeconds / Math.Max(batch, 1);
        var eta = TimeSpan.FromSeconds(Math.Round(secondsPerBatch * batchesLeft));
        return $"epoch {epoch}/{epochs} batch {batch}/{_train.BatchesPerEpoch} loss {meanLoss:G5} lr {lr:G3} {perSecond:F1} img/s ETA {eta:c}";
    }

    private static string EpochLine(EpochMetrics m, int epochs) =>
        $"epoch {m.Epoch}/{epochs} done: loss {m.TrainLoss:G5} mAP {m.Map:F2} mAP(EMA) {m.MapEma:F2} CF1 {m.Cf1:F2} OF1 {m.Of1:F2} " +
        $"Δp {m.ProbGap:F4} γ− {m.GammaNeg:G4} {m.ImagesPerSecond:F1} img/s {m.Seconds:F1} s" +
        (m.WorldSize > 1 ? $" ({m.WorldSize} ranks, {100 * m.CommunicationShare:F1}% of training time in all-reduce)" : "");

    private static void CopyAtomically(string source, string target)
    {
        string temp = target + ".tmp";
        File.Copy(source, temp, overwrite: true);
        File.Move(temp, target, overwrite: true);
    }

    /// <summary>How a step's gradients reach the other ranks: none (one rank), after backward, or overlapped with it.</summary>
    private readonly record struct GradientExchange(GradientBuckets? Buckets, BackwardOverlap? Overlap, bool Average);
}
