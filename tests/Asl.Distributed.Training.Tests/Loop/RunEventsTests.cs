using System.Text.Json;
using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Runs;
using Asl.Distributed.Training.Loop;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Tests.Loop;

/// <summary>What a run reports to its observers, a stop they request, and how failures end a run.</summary>
[Collection(GlobalTorchRandomCollection.Name)]
public sealed class RunEventsTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"asl-events-{Guid.NewGuid():N}");
    private readonly InMemoryBatches _train = new(128, 4, 32, dataSeed: 5, orderSeed: 6);
    private readonly InMemoryBatches _val = new(64, 4, 32, dataSeed: 5, orderSeed: 7);

    public void Dispose()
    {
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void Run_ReportsStartProgressEpochsCheckpointsAndFinishInOrder()
    {
        var config = Config("events", epochs: 3);
        var observer = new RecordingObserver();
        var summary = Train(config, observer);

        var kinds = observer.Events.Select(e => e.GetType().Name).Where(n => n != nameof(BatchProgress)).ToArray();
        Assert.Equal(["RunStarted", .. Enumerable.Repeat(new[] { "EpochCompleted", "CheckpointWritten" }, 3).SelectMany(p => p), "RunFinished"], kinds);
        var started = Assert.IsType<RunStarted>(observer.Events[0]);
        Assert.Equal((0, 1, 4, 3, null as ResumePoint), (started.Rank, started.WorldSize, started.BatchesPerEpoch, started.Epochs, started.ResumedFrom));
        Assert.Equal(["class 0", "class 1", "class 2", "class 3"], started.ClassNames);
        Assert.Equal(TrainingConfigLoader.ToYaml(config), TrainingConfigLoader.ToYaml(started.Config));

        // Progress of each epoch ends at its last batch, and its loss is the epoch's mean.
        var progress = observer.Of<BatchProgress>().ToList();
        foreach (int epoch in new[] { 1, 2, 3 })
        {
            var last = progress.Last(p => p.Epoch == epoch);
            Assert.Equal((4, 4, 3), (last.Batch, last.Batches, last.Epochs));
            Assert.Equal(summary.Epochs[epoch - 1].TrainLoss, last.MeanLoss, 12);
        }
        var checkpoints = observer.Of<CheckpointWritten>().ToList();
        Assert.Equal([1, 2, 3], checkpoints.Select(c => c.Epoch));
        Assert.Equal(new FileInfo(new RunFiles(config.Output.Dir).LastCheckpoint).Length, checkpoints[^1].Bytes);
        Assert.Equal(summary.Epochs.Select((e, i) => i == 0 || e.BestMap > summary.Epochs.Take(i).Max(p => p.BestMap)), checkpoints.Select(c => c.IsBest));
        var finished = Assert.IsType<RunFinished>(observer.Events[^1]);
        Assert.Equal((RunExitReason.Completed, 3), (finished.Summary.ExitReason, finished.Summary.EpochsCompleted));
    }

    [Fact]
    public void EpochCompleted_CarriesPerClassApDurationsAndIsWhatMetricsJsonlHolds()
    {
        var config = Config("per-class", epochs: 2);
        var observer = new RecordingObserver();
        Train(config, observer);

        var lines = File.ReadAllLines(new RunFiles(config.Output.Dir).Metrics);
        foreach (var (completed, line) in observer.Of<EpochCompleted>().Zip(lines))
        {
            var m = completed.Metrics;
            Assert.Equal(4, m.ClassAp!.Count);
            // mAP is the mean of the classes' AP (those with positives), independently recomputed here.
            Assert.Equal(m.Map, m.ClassAp.Where(double.IsFinite).Average(), 9);
            Assert.Equal(m.MapEma, m.ClassApEma!.Where(double.IsFinite).Average(), 9);
            Assert.True(m.Durations!.DataWait >= 0 && m.Durations.ForwardBackward > 0 && m.Durations.Validation > 0);
            Assert.Equal(0, m.Durations.AllReduce);
            using var json = JsonDocument.Parse(line);
            Assert.Equal(m.ClassAp, json.RootElement.GetProperty("class_ap").EnumerateArray().Select(v => v.GetDouble()));
            Assert.Equal(m.Map, json.RootElement.GetProperty("map").GetDouble());
        }
    }

    [Fact]
    public void RequestStop_AfterEpochTwo_StopsWithCheckpointAndResumesToTheUninterruptedWeights()
    {
        var straight = Config("straight", epochs: 4);
        var stopped = Config("stopped", epochs: 4);
        Train(straight, new RecordingObserver());

        var observer = new RecordingObserver((e, run) =>
        {
            if (e is EpochCompleted { Metrics.Epoch: 2 })
                run.RequestStop("ASHA: below the rung's top quarter");
        });
        var summary = Train(stopped, observer);

        Assert.Equal((RunExitReason.Stopped, 2, "ASHA: below the rung's top quarter"), (summary.ExitReason, summary.EpochsCompleted, summary.StopReason));
        Assert.Equal(2, observer.Of<CheckpointWritten>().Last().Epoch);
        Assert.Equal(RunExitReason.Stopped, Assert.IsType<RunFinished>(observer.Events[^1]).Summary.ExitReason);
        var files = new RunFiles(stopped.Output.Dir);
        Assert.Equal(2, CheckpointFile.ReadState(files.LastCheckpoint).Epoch);
        using (var json = JsonDocument.Parse(File.ReadAllText(files.Summary)))
            Assert.Equal("stopped", json.RootElement.GetProperty("exit_reason").GetString());

        var resumed = new Trainer(stopped, () => InMemoryBatches.Mlp(4), RunData.Unnamed(_train, _val, 4)).Run(resume: true);
        Assert.Equal(RunExitReason.Completed, resumed.ExitReason);
        CheckpointAssert.SameMlpWeights(new RunFiles(straight.Output.Dir).LastCheckpoint, files.LastCheckpoint, 4);
    }

    [Fact]
    public void UnexpectedError_EndsTheRunNamingEpochAndBatchWithTheLastCheckpointIntact()
    {
        var config = Config("unexpected", epochs: 3);
        var observer = new RecordingObserver();
        var batches = new FailingBatches(_train, epoch: 2, batch: 3, () => new InvalidOperationException("a native handle went away\nsecond line"));
        var error = Assert.Throws<RunFailedException>(() =>
            new Trainer(config, () => InMemoryBatches.Mlp(4), RunData.Unnamed(batches, _val, 4), new TrainerServices { Observers = [observer] }).Run(resume: false));

        Assert.Equal("unexpected error at epoch 2, batch 3: InvalidOperationException: a native handle went away", error.Message);
        var failed = Assert.IsType<RunFailed>(observer.Events[^1]);
        var files = new RunFiles(config.Output.Dir);
        Assert.Equal((RunExitReason.Failed, 2, 3, files.LastCheckpoint), (failed.Reason, failed.Epoch, failed.Batch, failed.LastCheckpoint));
        Assert.Equal(error.Message, failed.Error);
        Assert.Equal(1, CheckpointFile.ReadState(files.LastCheckpoint).Epoch);
    }

    [Fact]
    public void Cancelled_ReportsAnInterruptionAtItsPosition()
    {
        var config = Config("cancelled", epochs: 3);
        using var cancel = new CancellationTokenSource();
        var observer = new RecordingObserver((e, _) =>
        {
            if (e is BatchProgress { Epoch: 2, Batch: 2 })
                cancel.Cancel();
        });
        Assert.ThrowsAny<OperationCanceledException>(() =>
            new Trainer(config, () => InMemoryBatches.Mlp(4), RunData.Unnamed(_train, _val, 4), new TrainerServices { Observers = [observer] })
                .Run(resume: false, cancel.Token));
        var failed = Assert.IsType<RunFailed>(observer.Events[^1]);
        Assert.Equal((RunExitReason.Interrupted, 2), (failed.Reason, failed.Epoch));
        Assert.Equal(1, CheckpointFile.ReadState(new RunFiles(config.Output.Dir).LastCheckpoint).Epoch);
    }

    [Fact]
    public void NonFiniteValidationScores_FailPolicy_EndsTheRunNamingEpochAndModel()
    {
        var config = Config("diverged-fail", epochs: 2);
        var error = Assert.Throws<NonFiniteScoresException>(() =>
            new Trainer(config, () => new NanWhenEvaluating(4), RunData.Unnamed(_train, _val, 4)).Run(resume: false));
        Assert.Equal(1, error.Epoch);
        Assert.StartsWith("the regular model's validation scores are not finite at epoch 1", error.Message);
    }

    [Fact]
    public void NonFiniteValidationScores_SkipPolicy_RecordsTheEpochsAsDivergedAndGoesOn()
    {
        var config = Config("diverged-skip", epochs: 2);
        config.Run.NanPolicy = NanPolicy.Skip;
        var summary = new Trainer(config, () => new NanWhenEvaluating(4), RunData.Unnamed(_train, _val, 4)).Run(resume: false);

        Assert.Equal(2, summary.EpochsCompleted);
        Assert.All(summary.Epochs, e => Assert.True(e.Diverged && double.IsNaN(e.Map) && double.IsNaN(e.MapEma)));
        Assert.True(double.IsNaN(summary.BestMap));
        var lines = File.ReadAllLines(new RunFiles(config.Output.Dir).Metrics);
        Assert.All(lines, line => Assert.True(JsonDocument.Parse(line).RootElement.GetProperty("diverged").GetBoolean()));
    }

    private TrainingSummary Train(TrainingConfig config, RecordingObserver observer) =>
        new Trainer(config, () => InMemoryBatches.Mlp(4), RunData.Unnamed(_train, _val, 4), new TrainerServices { Observers = [observer] }).Run(resume: false);

    private TrainingConfig Config(string name, int epochs) => TrainingConfigLoader.Parse("", [$"output.dir={Path.Combine(_folder, name)}",
        $"schedule.epochs={epochs}", "schedule.stop_epoch=0", "optimizer.lr=0.01", "run.ema_decay=0.9", "loss.preset=asl", "run.threads=1"]);
}
