using System.Diagnostics;
using System.Text.Json;
using Asl.Distributed.Training.Collectives;
using Asl.Distributed.Training.Loop;
using Asl.Distributed.Training.Models;
using TorchSharp;

namespace Asl.Distributed.Worker.Tests;

/// <summary>
/// Data-parallel training with real asl-worker processes joined over loopback gRPC: equivalence with one process,
/// a rank killed with SIGKILL, a rank that never starts, resume on another world size.
/// </summary>
public sealed class DataParallelTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);
    private static readonly Dictionary<string, string> Secret = new() { ["ASL_JOB_SECRET"] = "test-secret-3f9c" };
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"asl-dp-{Guid.NewGuid():N}");

    public DataParallelTests()
    {
        Directory.CreateDirectory(_folder);
        // 120 training images in global batches of 12: 10 steps per epoch on 1, 2 or 3 ranks alike.
        File.WriteAllText(ConfigPath, $"""
            seed: 5
            data:
              kind: synthetic-shapes
              root: {Path.Combine(_folder, "shapes")}
              synthetic: {"{"}classes: 6, train_images: 120, val_images: 30, image_size: 32, missing_label_fraction: 0.2{"}"}
            model: {"{"}name: mlp{"}"}
            image: {"{"}size: 32{"}"}
            loss: {"{"}preset: asl-coco{"}"}
            optimizer: {"{"}lr: 0.001{"}"}
            schedule: {"{"}epochs: 2, stop_epoch: 0{"}"}
            run: {"{"}batch_size: 12, ema_decay: 0.9, threads: 1, loader_workers: 1{"}"}
            distributed: {"{"}timeout_s: 5, rendezvous_timeout_s: 20, bucket_mb: 0.05{"}"}
            output: {"{"}dir: {Path.Combine(_folder, "run")}{"}"}
            """);
    }

    private string ConfigPath => Path.Combine(_folder, "train.yaml");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Train_TwoAndThreeRanksWithShardsOfTheGlobalBatch_EndWithTheOneProcessWeights()
    {
        string one = Run(1, "one");
        string two = Run(2, "two");
        string three = Run(3, "three");

        using var scope = torch.NewDisposeScope();
        var reference = Load(one);
        foreach (var (name, parallel) in new[] { ("2 ranks", Load(two)), ("3 ranks", Load(three)) })
        {
            foreach (var ((key, a), (_, b)) in reference.named_parameters().Zip(parallel.named_parameters()))
            {
                double relative = (a - b).norm().item<float>() / Math.Max(a.norm().item<float>(), 1e-12);
                Assert.True(relative <= 1e-5, $"{name}: parameter {key} differs by {relative:E2} (relative) after 20 steps");
            }
        }
        // The metrics are computed on the whole validation set on every world size.
        var mapOne = LastMap(one);
        Assert.Equal(mapOne, LastMap(two), 3);
        Assert.Equal(mapOne, LastMap(three), 3);
    }

    [Fact]
    public void Train_NprocTwoWithBatchNorm_LearnsLikeOneProcess()
    {
        string[] bn = ["model.name=small_cnn", "schedule.epochs=4", "optimizer.lr=0.003", "run.batch_size=16", "data.synthetic.train_images=160"];
        string one = Run(1, "bn-one", bn);
        string two = Run(2, "bn-two", bn);

        double mapOne = LastMap(one), mapTwo = LastMap(two);
        Assert.True(mapTwo > 30 && Math.Abs(mapTwo - mapOne) < 15, $"mAP on 2 ranks {mapTwo:F2} vs 1 rank {mapOne:F2}");
        var line = JsonDocument.Parse(File.ReadAllLines(Path.Combine(two, "metrics.jsonl"))[^1]).RootElement;
        Assert.Equal(2, line.GetProperty("world_size").GetInt32());
        Assert.InRange(line.GetProperty("communication_share").GetDouble(), 0, 1);
    }

    [Fact]
    public void Train_RankKilledMidEpoch_OthersExitNamingItAndTheCheckpointResumesOnTwoRanks()
    {
        string run = Path.Combine(_folder, "killed");
        var peers = LoopbackPorts.Peers(3);
        string[] slow = [$"output.dir={run}", "schedule.epochs=3", "data.synthetic.train_images=600", "run.batch_size=6"];
        var ranks = Enumerable.Range(0, 3).Select(r => new WorkerProcess(Secret,
            ["train", ConfigPath, .. slow, "--rank", $"{r}", "--world-size", "3", "--peers", string.Join(',', peers)])).ToArray();
        try
        {
            var clock = Stopwatch.StartNew();
            while (!File.Exists(Path.Combine(run, "last.ckpt")) && clock.Elapsed < Limit && !ranks.Any(r => r.HasExited))
                Thread.Sleep(10);
            Assert.True(File.Exists(Path.Combine(run, "last.ckpt")), $"no checkpoint after epoch 1\n{ranks[0].Output}\n{ranks[0].Error}");
            Thread.Sleep(100); // into epoch 2
            Process.GetProcessById(ranks[1].Id).Kill(); // SIGKILL, no clean-up
            var killedAt = Stopwatch.StartNew();

            foreach (int r in new[] { 0, 2 })
            {
                int exit = ranks[r].WaitForExit(TimeSpan.FromSeconds(60));
                Assert.True(exit == WorkerCommandLine.LostPeerExitCode, $"rank {r} exit {exit}\n{ranks[r].Output}\n{ranks[r].Error}");
                Assert.Contains("lost rank 1", ranks[r].Error);
            }
            // Detection is by the broken connections, well inside the 5 s timeout plus process exit.
            Assert.True(killedAt.Elapsed < TimeSpan.FromSeconds(20), $"the survivors took {killedAt.Elapsed} to exit");
        }
        finally
        {
            foreach (var rank in ranks)
                rank.Dispose();
        }

        var state = CheckpointFile.ReadState(Path.Combine(run, "last.ckpt"));
        Assert.InRange(state.Epoch, 1, 2);
        using (var resumed = new WorkerProcess(["train", ConfigPath, .. slow, "--nproc", "2", "--resume"]))
        {
            int exit = resumed.WaitForExit(Limit);
            Assert.True(exit == 0, $"exit {exit}\n{resumed.Output}\n{resumed.Error}");
            Assert.Contains($"resuming after epoch {state.Epoch}", resumed.Output);
        }
        Assert.Equal(3, CheckpointFile.ReadState(Path.Combine(run, "last.ckpt")).Epoch);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);
    }

    [Fact]
    public void Train_RankNeverJoins_TheOthersFailAtTheRendezvousTimeoutNamingIt()
    {
        var peers = LoopbackPorts.Peers(3);
        var clock = Stopwatch.StartNew();
        var ranks = new[] { 0, 2 }.Select(r => new WorkerProcess(Secret,
            ["train", ConfigPath, $"output.dir={Path.Combine(_folder, "lonely")}", "distributed.rendezvous_timeout_s=3",
             "--rank", $"{r}", "--world-size", "3", "--peers", string.Join(',', peers)])).ToArray();
        try
        {
            foreach (var rank in ranks)
            {
                int exit = rank.WaitForExit(TimeSpan.FromSeconds(60));
                Assert.True(exit == WorkerCommandLine.LostPeerExitCode, $"exit {exit}\n{rank.Output}\n{rank.Error}");
                Assert.Contains("lost rank 1", rank.Error);
            }
            Assert.InRange(clock.Elapsed.TotalSeconds, 3, 40);
        }
        finally
        {
            foreach (var rank in ranks)
                rank.Dispose();
        }
    }

    [Fact]
    public void Train_ManualRanksWithoutSecret_ExitTwoNamingTheVariable()
    {
        var (exit, _, error) = WorkerProcess.Run(Limit, "train", ConfigPath, "--rank", "0", "--world-size", "2", "--peers", "127.0.0.1:1,127.0.0.1:2");
        Assert.Equal(2, exit);
        Assert.Contains("ASL_JOB_SECRET", error);
    }

    [Fact]
    public void Train_GlobalBatchNotDivisibleByRanks_ExitTwoNamingTheField()
    {
        var (exit, _, error) = WorkerProcess.Run(Limit, "train", ConfigPath, "run.batch_size=13", "--nproc", "2");
        Assert.Equal(2, exit);
        Assert.Contains("run.batch_size", error);
    }

    private string Run(int ranks, string name, params string[] overrides)
    {
        string output = Path.Combine(_folder, name);
        string[] args = ["train", ConfigPath, $"output.dir={output}", .. overrides, .. ranks > 1 ? new[] { "--nproc", $"{ranks}" } : []];
        var (exit, stdout, stderr) = WorkerProcess.Run(Limit, args);
        Assert.True(exit == 0, $"{ranks} rank(s): exit {exit}\n{stdout}\n{stderr}");
        return output;
    }

    private static torch.nn.Module<torch.Tensor, torch.Tensor> Load(string run)
    {
        var model = ModelFactory.Create("mlp", 6, 32);
        CheckpointFile.ReadModel(Path.Combine(run, "last.ckpt"), model);
        return model;
    }

    private static double LastMap(string run) => JsonDocument.Parse(File.ReadAllLines(Path.Combine(run, "metrics.jsonl"))[^1]).RootElement.GetProperty("map").GetDouble();
}
