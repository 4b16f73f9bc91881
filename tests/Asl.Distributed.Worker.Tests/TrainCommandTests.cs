using System.Text.Json;
using Asl.Distributed.Training.Loop;
using Asl.Distributed.Training.Models;
using TorchSharp;

namespace Asl.Distributed.Worker.Tests;

/// <summary><c>asl-worker train</c> end to end: generated JPEGs, the COCO reader, the loader, a real model.</summary>
public sealed class TrainCommandTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"asl-worker-{Guid.NewGuid():N}");

    public TrainCommandTests()
    {
        Directory.CreateDirectory(_folder);
        File.WriteAllText(ConfigPath, $"""
            seed: 3
            data:
              kind: synthetic-shapes
              root: {Path.Combine(_folder, "shapes")}
              synthetic: {"{"}classes: 6, train_images: 96, val_images: 32, image_size: 32, missing_label_fraction: 0.2{"}"}
            model: {"{"}name: small_cnn{"}"}
            image: {"{"}size: 32{"}"}
            loss: {"{"}preset: asl-coco{"}"}
            optimizer: {"{"}lr: 0.003{"}"}
            schedule: {"{"}epochs: 3, stop_epoch: 0{"}"}
            run: {"{"}batch_size: 16, ema_decay: 0.9, threads: 1, loader_workers: 2{"}"}
            output: {"{"}dir: {Path.Combine(_folder, "run")}{"}"}
            """);
    }

    private string ConfigPath => Path.Combine(_folder, "train.yaml");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Train_TinySyntheticRun_WritesCheckpointsMetricsAndSummary()
    {
        var (exit, output, error) = WorkerProcess.Run(Limit, "train", ConfigPath);
        Assert.True(exit == 0, $"exit {exit}\n{output}\n{error}");
        Assert.Contains("generated 96 + 32 synthetic images", output);
        Assert.Contains("epoch 3/3 done: loss", output);
        string run = Path.Combine(_folder, "run");
        Assert.Equal(3, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json")));
        Assert.Equal(3, summary.RootElement.GetProperty("epochs_completed").GetInt32());
        Assert.True(File.Exists(Path.Combine(run, "best.ckpt")));
        // The run's report, where the last line says, with its plots.
        string page = Path.Combine(run, "report", "index.html");
        Assert.Contains($"report: {page}", output);
        foreach (string plot in new[] { "learning-curves.png", "train-loss.png", "prob-gap-gamma-neg.png", "class-ap.png" })
        {
            Assert.Contains($"src=\"{plot}\"", File.ReadAllText(page));
            Assert.True(new FileInfo(Path.Combine(run, "report", plot)).Length > 10_000, $"{plot} is missing or nearly empty");
        }
    }

    [Fact]
    public void Train_KilledAfterFirstCheckpointThenResumed_EndsWithTheUninterruptedWeights()
    {
        var (straightExit, _, straightError) = WorkerProcess.Run(Limit, "train", ConfigPath, $"output.dir={Path.Combine(_folder, "straight")}");
        Assert.Equal(0, straightExit);

        string killed = Path.Combine(_folder, "killed");
        using (var worker = new WorkerProcess("train", ConfigPath, $"output.dir={killed}"))
        {
            // "done" is printed once the epoch's checkpoint is on disk.
            worker.WaitForLine(l => l.StartsWith("epoch 1/3 done", StringComparison.Ordinal), Limit);
            worker.Kill(); // SIGKILL: no chance to clean up
        }
        Assert.True(CheckpointFile.ReadState(Path.Combine(killed, "last.ckpt")).Epoch >= 1);

        var (refused, _, refusal) = WorkerProcess.Run(Limit, "train", ConfigPath, $"output.dir={killed}");
        Assert.Equal(2, refused);
        Assert.Contains("pass --resume", refusal);

        var (exit, output, error) = WorkerProcess.Run(Limit, "train", ConfigPath, $"output.dir={killed}", "--resume");
        Assert.True(exit == 0, $"exit {exit}\n{output}\n{error}\n{straightError}");
        Assert.Contains("resuming after epoch", output);

        using var scope = torch.NewDisposeScope();
        var a = ModelFactory.Create("small_cnn", 6, 32);
        var b = ModelFactory.Create("small_cnn", 6, 32);
        CheckpointFile.ReadModel(Path.Combine(_folder, "straight", "last.ckpt"), a);
        CheckpointFile.ReadModel(Path.Combine(killed, "last.ckpt"), b);
        foreach (var ((name, pa), (_, pb)) in a.named_parameters().Zip(b.named_parameters()))
            Assert.True(pa.eq(pb).all().item<bool>(), $"{name} differs after resume");
        Assert.Equal(3, File.ReadAllLines(Path.Combine(killed, "metrics.jsonl")).Length);
    }

    [Theory]
    [InlineData("loss.gamma_neg=-1", "loss.gamma_neg")]
    [InlineData("model.name=vit", "allowed: one of: resnet18")]
    [InlineData("run.batch_size=x", "'x' is not an integer")]
    [InlineData("optimizer.lr=NaN", "optimizer.lr: 'NaN' is not a finite number; allowed: a finite number > 0")]
    [InlineData("optimizer.lr=-Infinity", "optimizer.lr: '-Infinity' is not a finite number")]
    public void Train_BadConfig_ExitsTwoNamingTheFieldBeforeAnyWork(string setting, string message)
    {
        var (exit, _, error) = WorkerProcess.Run(Limit, "train", ConfigPath, setting);
        Assert.Equal(2, exit);
        Assert.Contains(message, error);
        Assert.DoesNotContain("Unhandled exception", error);
        Assert.DoesNotContain("   at ", error);
        Assert.False(Directory.Exists(Path.Combine(_folder, "shapes")), "no data was generated");
    }

    [Fact]
    public void Train_MissingImage_FailsNamingTheFile()
    {
        var (exit, _, _) = WorkerProcess.Run(Limit, "train", ConfigPath, "schedule.epochs=1");
        Assert.Equal(0, exit);
        string victim = Directory.GetFiles(Path.Combine(_folder, "shapes", "train")).Order().First();
        File.Delete(victim);
        var (failed, output, error) = WorkerProcess.Run(Limit, "train", ConfigPath, "schedule.epochs=1", $"output.dir={Path.Combine(_folder, "run2")}");
        Assert.True(failed == 1, $"exit {failed}\n{output}\n{error}");
        Assert.Contains(Path.GetFileName(victim), error);
    }

    [Fact]
    public void Train_CorruptImageUnderSkipPolicy_CountsAndNamesItAtEpochEnd()
    {
        var (exit, _, _) = WorkerProcess.Run(Limit, "train", ConfigPath, "schedule.epochs=1");
        Assert.Equal(0, exit);
        string victim = Directory.GetFiles(Path.Combine(_folder, "shapes", "train")).Order().Last();
        File.WriteAllBytes(victim, File.ReadAllBytes(victim)[..40]); // a truncated JPEG
        var (skipped, output, error) = WorkerProcess.Run(Limit, "train", ConfigPath, "schedule.epochs=1", "data.bad_records=skip",
            $"output.dir={Path.Combine(_folder, "run3")}");
        Assert.True(skipped == 0, $"exit {skipped}\n{output}\n{error}");
        // A warning: on the error stream, prefixed as such.
        Assert.Contains("asl-worker: warning: 1 unreadable image(s) skipped in epoch 1", error);
        Assert.Contains(Path.GetFileName(victim), error);
    }
}
