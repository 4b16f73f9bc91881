using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Runs;
using Asl.Distributed.Training.Events;
using Asl.Distributed.Training.Loop;
using Asl.Distributed.Training.Precision;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Tests.Loop;

[Collection(GlobalTorchRandomCollection.Name)]
public sealed class TrainerTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"asl-trainer-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void Run_LearnableProblem_ImprovesAndWritesEveryRunFile()
    {
        var config = Config("learn", epochs: 6);
        var train = new InMemoryBatches(512, 5, 32, dataSeed: 1, orderSeed: 2);
        var val = new InMemoryBatches(256, 5, 64, dataSeed: 1, orderSeed: 3);
        var summary = new Trainer(config, () => InMemoryBatches.Mlp(5), RunData.Unnamed(train, val, 5)).Run(resume: false);

        Assert.Equal(6, summary.EpochsCompleted);
        Assert.Equal(6 * 16, summary.Steps);
        Assert.True(summary.Epochs[^1].TrainLoss < summary.Epochs[0].TrainLoss * 0.7, $"loss {summary.Epochs[0].TrainLoss} → {summary.Epochs[^1].TrainLoss}");
        Assert.True(summary.BestMap > 80, $"best mAP {summary.BestMap}");
        Assert.Equal(summary.Epochs.Max(e => Math.Max(e.Map, e.MapEma)), summary.BestMap);
        var files = new RunFiles(config.Output.Dir);
        Assert.Equal(6, File.ReadAllLines(files.Metrics).Length);
        Assert.Equal(summary.BestEpoch, CheckpointFile.ReadState(files.BestCheckpoint).Epoch);
        Assert.Equal(6, CheckpointFile.ReadState(files.LastCheckpoint).Epoch);
        Assert.Equal(6, JsonDocument.Parse(File.ReadAllText(files.Summary)).RootElement.GetProperty("epochs_completed").GetInt32());
        Assert.Equal(TrainingConfigLoader.ToYaml(config), File.ReadAllText(files.Config));
    }

    [Fact]
    public void Resume_AfterInterruptionAtEpochTwo_EndsBitwiseEqualToUninterruptedRun()
    {
        var straight = Config("straight", epochs: 4);
        var interrupted = Config("interrupted", epochs: 4);
        var train = new InMemoryBatches(256, 4, 32, dataSeed: 5, orderSeed: 6);
        var val = new InMemoryBatches(64, 4, 64, dataSeed: 5, orderSeed: 7);

        var a = new Trainer(straight, () => InMemoryBatches.Mlp(4), RunData.Unnamed(train, val, 4)).Run(resume: false);

        RunUntilCheckpoint(interrupted, train, val, epoch: 2);
        Assert.Equal(2, CheckpointFile.ReadState(new RunFiles(interrupted.Output.Dir).LastCheckpoint).Epoch);
        var b = new Trainer(interrupted, () => InMemoryBatches.Mlp(4), RunData.Unnamed(train, val, 4)).Run(resume: true);

        Assert.Equal(a.Steps, b.Steps);
        Assert.Equal(a.Epochs.Select(e => e.Map), b.Epochs.Select(e => e.Map));
        Assert.Equal(4, File.ReadAllLines(new RunFiles(interrupted.Output.Dir).Metrics).Length);
        CheckpointAssert.SameMlpWeights(new RunFiles(straight.Output.Dir).LastCheckpoint, new RunFiles(interrupted.Output.Dir).LastCheckpoint, 4);
    }

    [Fact]
    public void Resume_Float16WithLossScalerAtEpochTwo_EndsBitwiseEqualToUninterruptedRun()
    {
        // 2^20 overflows float16 gradients at first and the scale backs off; a growth interval of 3 makes it grow again
        // and overflow again, so the scale and the tracker at the epoch-2 checkpoint are far from their start.
        var straight = Float16Config("fp16-straight");
        var interrupted = Float16Config("fp16-interrupted");
        var train = new InMemoryBatches(256, 4, 32, dataSeed: 5, orderSeed: 6);
        var val = new InMemoryBatches(64, 4, 64, dataSeed: 5, orderSeed: 7);

        var a = new Trainer(straight, () => InMemoryBatches.Mlp(4), RunData.Unnamed(train, val, 4)).Run(resume: false);

        RunUntilCheckpoint(interrupted, train, val, epoch: 2);
        var atTwo = CheckpointFile.ReadState(new RunFiles(interrupted.Output.Dir).LastCheckpoint);
        Assert.Equal(2, atTwo.Epoch);
        Assert.NotNull(atTwo.LossScaler);
        Assert.NotEqual(new LossScalerState(1 << 20, 0), atTwo.LossScaler);
        var b = new Trainer(interrupted, () => InMemoryBatches.Mlp(4), RunData.Unnamed(train, val, 4)).Run(resume: true);

        Assert.True(a.SkippedSteps > a.Epochs[0].SkippedSteps, $"overflows after epoch 1 too: {string.Join(", ", a.Epochs.Select(e => e.SkippedSteps))}");
        Assert.Equal(a.Epochs.Select(e => e.SkippedSteps), b.Epochs.Select(e => e.SkippedSteps));
        Assert.Equal(a.Epochs.Select(e => e.TrainLoss), b.Epochs.Select(e => e.TrainLoss));
        Assert.Equal(a.Epochs.Select(e => e.Map), b.Epochs.Select(e => e.Map));
        Assert.Equal(CheckpointFile.ReadState(new RunFiles(straight.Output.Dir).LastCheckpoint).LossScaler,
            CheckpointFile.ReadState(new RunFiles(interrupted.Output.Dir).LastCheckpoint).LossScaler);
        CheckpointAssert.SameMlpWeights(new RunFiles(straight.Output.Dir).LastCheckpoint, new RunFiles(interrupted.Output.Dir).LastCheckpoint, 4);
    }

    [Fact]
    public void Resume_Float16CheckpointWithoutScalerState_LoadsAndTheScalerStartsFromItsInitialScale()
    {
        var config = Float16Config("fp16-old-checkpoint");
        config.Schedule.Epochs = 2;
        var train = new InMemoryBatches(64, 4, 32, dataSeed: 5, orderSeed: 6);
        var val = new InMemoryBatches(64, 4, 64, dataSeed: 5, orderSeed: 7);
        RunUntilCheckpoint(config, train, val, epoch: 1);
        var files = new RunFiles(config.Output.Dir);
        Assert.NotNull(CheckpointFile.ReadState(files.LastCheckpoint).LossScaler);
        // What a checkpoint written before the scaler existed holds: the same state.json less its loss_scaler.
        RewriteState(files.LastCheckpoint, state => Assert.True(state.Remove("loss_scaler")));
        Assert.Null(CheckpointFile.ReadState(files.LastCheckpoint).LossScaler);

        var summary = new Trainer(config, () => InMemoryBatches.Mlp(4), RunData.Unnamed(train, val, 4)).Run(resume: true);

        Assert.Equal(2, summary.EpochsCompleted);
        // Epoch 2's two steps started again from 2^20, which overflows float16 gradients: both were skipped.
        Assert.Equal(2, summary.Epochs[1].SkippedSteps - summary.Epochs[0].SkippedSteps);
        Assert.Equal(new LossScalerState(1 << 18, 0), CheckpointFile.ReadState(files.LastCheckpoint).LossScaler);
    }

    [Fact]
    public void Resume_Float16CheckpointWithZeroLossScale_FailsNamingTheFileAndTheValue()
    {
        var config = Float16Config("fp16-bad-scale");
        config.Schedule.Epochs = 2;
        var train = new InMemoryBatches(64, 4, 32, dataSeed: 5, orderSeed: 6);
        var val = new InMemoryBatches(64, 4, 64, dataSeed: 5, orderSeed: 7);
        RunUntilCheckpoint(config, train, val, epoch: 1);
        var files = new RunFiles(config.Output.Dir);
        RewriteState(files.LastCheckpoint, state => state["loss_scaler"]!["scale"] = 0);

        var error = Assert.Throws<CheckpointException>(() =>
            new Trainer(config, () => InMemoryBatches.Mlp(4), RunData.Unnamed(train, val, 4)).Run(resume: true));
        Assert.Equal(files.LastCheckpoint, error.Path);
        Assert.Contains("loss scaler state out of range: scale 0", error.Message);
    }

    [Fact]
    public void NonFiniteLoss_FailPolicy_NamesEpochAndBatch()
    {
        var config = Config("nan-fail", epochs: 2);
        var train = new InMemoryBatches(128, 3, 32, 1, 2, poisoned: [(2, 3)]);
        var val = new InMemoryBatches(64, 3, 64, 1, 3);
        var error = Assert.Throws<NonFiniteLossException>(() =>
            new Trainer(config, () => InMemoryBatches.Mlp(3), RunData.Unnamed(train, val, 3)).Run(resume: false));
        Assert.Equal((2, 3, 6L), (error.Epoch, error.Batch, error.Step));
        Assert.Contains("epoch 2, batch 3", error.Message);
        // The epoch-1 checkpoint is intact.
        Assert.Equal(1, CheckpointFile.ReadState(new RunFiles(config.Output.Dir).LastCheckpoint).Epoch);
    }

    [Fact]
    public void NonFiniteLoss_SkipPolicy_SkipsAndCountsTheSteps()
    {
        var config = Config("nan-skip", epochs: 2);
        config.Run.NanPolicy = NanPolicy.Skip;
        var train = new InMemoryBatches(128, 3, 32, 1, 2, poisoned: [(1, 2), (2, 4)]);
        var val = new InMemoryBatches(64, 3, 64, 1, 3);
        var summary = new Trainer(config, () => InMemoryBatches.Mlp(3), RunData.Unnamed(train, val, 3)).Run(resume: false);
        Assert.Equal(2, summary.SkippedSteps);
        Assert.Equal([1L, 2L], summary.Epochs.Select(e => e.SkippedSteps));
        Assert.All(summary.Epochs, e => Assert.True(double.IsFinite(e.TrainLoss)));
    }

    [Fact]
    public void Resume_CorruptLastCheckpoint_FailsNamingTheFileAndKeepsBest()
    {
        var config = Config("corrupt", epochs: 1);
        var train = new InMemoryBatches(64, 3, 32, 1, 2);
        var val = new InMemoryBatches(64, 3, 64, 1, 3);
        new Trainer(config, () => InMemoryBatches.Mlp(3), RunData.Unnamed(train, val, 3)).Run(resume: false);
        var files = new RunFiles(config.Output.Dir);
        byte[] best = File.ReadAllBytes(files.BestCheckpoint);
        File.WriteAllBytes(files.LastCheckpoint, File.ReadAllBytes(files.LastCheckpoint)[..100]);

        var error = Assert.Throws<CheckpointException>(() =>
            new Trainer(config, () => InMemoryBatches.Mlp(3), RunData.Unnamed(train, val, 3)).Run(resume: true));
        Assert.Equal(files.LastCheckpoint, error.Path);
        Assert.Equal(best, File.ReadAllBytes(files.BestCheckpoint));
    }

    [Fact]
    public void Run_Bfloat16Compute_LearnsLikeFloat32WithFloat32MasterWeights()
    {
        var train = new InMemoryBatches(512, 5, 32, dataSeed: 1, orderSeed: 2);
        var val = new InMemoryBatches(256, 5, 64, dataSeed: 1, orderSeed: 3);
        static nn.Module<Tensor, Tensor> ConvNet() => nn.Sequential(("conv", nn.Conv2d(3, 16, 3, padding: 1)), ("bn", nn.BatchNorm2d(16)),
            ("relu", nn.ReLU()), ("flatten", nn.Flatten()), ("fc", nn.Linear(16 * 16, 5)));

        var full = new Trainer(Config("fp32", epochs: 5), ConvNet, RunData.Unnamed(train, val, 5)).Run(resume: false);
        var mixedConfig = Config("bf16", epochs: 5);
        mixedConfig.Run.Precision = ComputePrecision.BFloat16;
        var mixed = new Trainer(mixedConfig, ConvNet, RunData.Unnamed(train, val, 5)).Run(resume: false);

        Assert.True(mixed.BestMap > full.BestMap - 5, $"bf16 best mAP {mixed.BestMap:F2} vs fp32 {full.BestMap:F2}");
        Assert.True(mixed.Epochs[^1].TrainLoss < mixed.Epochs[0].TrainLoss, "bf16 loss did not fall");
        using var scope = NewDisposeScope();
        var master = ConvNet();
        CheckpointFile.ReadModel(new RunFiles(mixedConfig.Output.Dir).LastCheckpoint, master);
        Assert.All(master.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        // bfloat16 rounding really happened: the weights are close to, but not equal to, the float32 run's.
        var reference = ConvNet();
        CheckpointFile.ReadModel(new RunFiles(Config("fp32", epochs: 5).Output.Dir).LastCheckpoint, reference);
        var difference = (master.state_dict()["fc.weight"] - reference.state_dict()["fc.weight"]).abs().max().item<float>();
        Assert.InRange(difference, 1e-6f, 0.5f);
        // The BatchNorm statistics the bf16 copy gathered reached the master model.
        Assert.True(master.state_dict()["bn.running_var"].sub(1).abs().max().item<float>() > 1e-3);
    }

    private TrainingConfig Config(string name, int epochs)
    {
        var config = TrainingConfigLoader.Parse("", [$"output.dir={Path.Combine(_folder, name)}", $"schedule.epochs={epochs}", "schedule.stop_epoch=0",
            "optimizer.lr=0.01", "run.ema_decay=0.9", "loss.preset=asl", "run.threads=1"]);
        return config;
    }

    /// <summary>Edits the state.json of a checkpoint in place.</summary>
    private static void RewriteState(string checkpoint, Action<JsonObject> edit)
    {
        using var zip = new ZipArchive(File.Open(checkpoint, FileMode.Open), ZipArchiveMode.Update);
        var entry = zip.GetEntry("state.json")!;
        JsonObject state;
        using (var stream = entry.Open())
            state = JsonNode.Parse(stream)!.AsObject();
        edit(state);
        entry.Delete();
        using var writer = new StreamWriter(zip.CreateEntry("state.json").Open());
        writer.Write(state.ToJsonString());
    }

    private TrainingConfig Float16Config(string name)
    {
        var config = Config(name, epochs: 4);
        Assert.Empty(config.Set("run.precision", "float16"));
        Assert.Empty(config.Set("run.loss_scale_init", "1048576"));
        Assert.Empty(config.Set("run.loss_scale_growth_interval", "3"));
        return config.Validate();
    }

    /// <summary>Trains a 4-class MLP run until the checkpoint of <paramref name="epoch"/> is written, then cancels it.</summary>
    private static void RunUntilCheckpoint(TrainingConfig config, InMemoryBatches train, InMemoryBatches val, int epoch)
    {
        using var stop = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            new Trainer(config, () => InMemoryBatches.Mlp(4), RunData.Unnamed(train, val, 4),
                new TrainerServices { Observers = [new CancelAfterCheckpoint(epoch, stop)] }).Run(resume: false, stop.Token));
    }

    /// <summary>Cancels the run once the checkpoint of the given epoch is written.</summary>
    private sealed class CancelAfterCheckpoint(int epoch, CancellationTokenSource source) : IRunObserver
    {
        public void OnEvent(RunEvent runEvent, RunControl run)
        {
            if (runEvent is CheckpointWritten written && written.Epoch == epoch)
                source.Cancel();
        }
    }
}
