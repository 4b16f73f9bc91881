using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
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
    /// <summary>Only guards against waiting forever: a whole run here takes seconds when the machine is quiet.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    /// <summary>
    /// The rendezvous timeout of these runs: far beyond how late one rank's process can start after another's, even on
    /// a loaded machine, so a rank that is missing is the only one the others can report.
    /// </summary>
    private const int RendezvousTimeoutS = 20;

    /// <summary>
    /// The collective (peer) timeout: the default, long enough that a rank starved of CPU is never taken for lost. A
    /// killed rank is detected by its broken connections, not by this timeout, and the tests check which one it was.
    /// </summary>
    private const int PeerTimeoutS = 60;
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
            distributed: {"{"}timeout_s: {PeerTimeoutS}, rendezvous_timeout_s: {RendezvousTimeoutS}, bucket_mb: 0.05{"}"}
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
            // Rank 0 says "done" once epoch 1's checkpoint is on disk, and reports epoch 2's progress at each tenth
            // of its 100 steps: the kill comes in the middle of epoch 2, with 90 steps left.
            ranks[0].WaitForLine(l => l.StartsWith("epoch 1/3 done", StringComparison.Ordinal), Limit);
            ranks[0].WaitForLine(l => l.StartsWith("epoch 2/3 batch ", StringComparison.Ordinal), Limit);
            Process.GetProcessById(ranks[1].Id).Kill(); // SIGKILL, no clean-up

            foreach (int r in new[] { 0, 2 })
            {
                int exit = ranks[r].WaitForExit(Limit);
                Assert.True(exit == WorkerCommandLine.LostPeerExitCode, $"rank {r} exit {exit}\n{ranks[r].Output}\n{ranks[r].Error}");
                Assert.Contains("lost rank 1", ranks[r].Error);
                // Detected by the broken connections, not by the collective timeout.
                Assert.DoesNotContain("not even a heartbeat", ranks[r].Error);
            }
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
        // Rank 2 connects to rank 0, which must still be waiting for rank 1 then: rank 0 starts first, and rank 2
        // once rank 0 listens, so only rank 2's start-up (not 0's and 2's together) counts against the timeout.
        var peers = LoopbackPorts.Peers(3);
        var clock = Stopwatch.StartNew();
        var ranks = new List<WorkerProcess>();
        try
        {
            foreach (int r in new[] { 0, 2 })
            {
                var rank = new WorkerProcess(Secret, ["train", ConfigPath, $"output.dir={Path.Combine(_folder, "lonely")}",
                    "--rank", $"{r}", "--world-size", "3", "--peers", string.Join(',', peers)]);
                ranks.Add(rank);
                WaitUntilListening(rank, PeerGroup.ParseEndpoint(peers[r], r).Port);
            }

            foreach (var rank in ranks)
            {
                int exit = rank.WaitForExit(Limit);
                Assert.True(exit == WorkerCommandLine.LostPeerExitCode, $"exit {exit}\n{rank.Output}\n{rank.Error}");
                Assert.Contains("lost rank 1", rank.Error);
                Assert.DoesNotContain("lost rank 0", rank.Error);
                Assert.DoesNotContain("lost rank 2", rank.Error);
            }
            // Only a lower bound: load can make the failure late, never early.
            Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(RendezvousTimeoutS), $"failed after {clock.Elapsed}, before the {RendezvousTimeoutS} s rendezvous timeout");
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

    /// <summary>Waits until <paramref name="rank"/> accepts connections on <paramref name="port"/> (it has started its rendezvous).</summary>
    private static void WaitUntilListening(WorkerProcess rank, int port)
    {
        long start = Stopwatch.GetTimestamp();
        while (true)
        {
            using (var probe = new TcpClient())
            {
                try
                {
                    probe.Connect(IPAddress.Loopback, port);
                    return;
                }
                catch (SocketException)
                {
                    // not listening yet
                }
            }
            Assert.False(rank.HasExited, $"the rank ended before it listened on port {port}:\n{rank.Output}\n{rank.Error}");
            Assert.True(Stopwatch.GetElapsedTime(start) < Limit, $"nothing listened on port {port} within {Limit} (a hang):\n{rank.Output}\n{rank.Error}");
            Thread.Sleep(10); // a listening socket has no event to await from outside the process
        }
    }

    private static torch.nn.Module<torch.Tensor, torch.Tensor> Load(string run)
    {
        var model = ModelFactory.Create("mlp", 6, 32);
        CheckpointFile.ReadModel(Path.Combine(run, "last.ckpt"), model);
        return model;
    }

    private static double LastMap(string run) => JsonDocument.Parse(File.ReadAllLines(Path.Combine(run, "metrics.jsonl"))[^1]).RootElement.GetProperty("map").GetDouble();
}
