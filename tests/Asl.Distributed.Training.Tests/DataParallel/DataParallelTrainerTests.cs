using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Training.Collectives;
using Asl.Distributed.Runs;
using Asl.Distributed.Training.Loop;
using Asl.Distributed.Training.Tests.Loop;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Tests.DataParallel;

/// <summary>
/// The trainer on 2 and 3 ranks inside one process (an in-process ring, one thread per rank) against one rank on
/// the whole global batch. The real-process version of these checks is in the worker tests.
/// </summary>
[Collection(GlobalTorchRandomCollection.Name)]
public sealed class DataParallelTrainerTests : IDisposable
{
    /// <summary>
    /// Only guards against a hang (a rank waiting for ever): TorchSharp on a loaded two-core machine may take many times
    /// its quiet-machine time, and no test here passes or fails by how long the ranks took.
    /// </summary>
    private static readonly TimeSpan HangLimit = TimeSpan.FromMinutes(10);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"asl-dp-trainer-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
    }

    [Theory]
    [InlineData(2, "sum")]
    [InlineData(3, "sum")]
    [InlineData(2, "mean")]
    public void Run_ShardsOfTheGlobalBatch_EndWithTheOneRankWeightsAndMetrics(int world, string reduction)
    {
        var single = Train(1, "single-" + reduction, reduction);
        var parallel = Train(world, $"parallel-{world}-{reduction}", reduction);

        Assert.Equal(single.Summary.Steps, parallel.Summary.Steps);
        AssertClose(single.Weights, parallel.Weights, 1e-5);
        for (int e = 0; e < single.Summary.Epochs.Count; e++)
        {
            Assert.Equal(single.Summary.Epochs[e].Map, parallel.Summary.Epochs[e].Map, 3);
            Assert.Equal(single.Summary.Epochs[e].TrainLoss, parallel.Summary.Epochs[e].TrainLoss, 4);
            Assert.Equal(world, parallel.Summary.Epochs[e].WorldSize);
        }
        // Rank 0 alone wrote the run files; they say what one rank would have written.
        Assert.Equal(3, File.ReadAllLines(new RunFiles(parallel.Folder).Metrics).Length);
    }

    [Fact]
    public void Run_AdaptiveAsymmetry_GammaNegFollowsTheWholeGlobalBatchOnEveryRank()
    {
        var single = Train(1, "adaptive-single", "sum", adaptive: true);
        var parallel = Train(2, "adaptive-parallel", "sum", adaptive: true);

        Assert.Equal(single.Summary.Epochs[^1].GammaNeg, parallel.Summary.Epochs[^1].GammaNeg, 6);
        Assert.NotEqual(4.0, single.Summary.Epochs[^1].GammaNeg);
    }

    [Fact]
    public void Run_NonFiniteLossOnOneRanksShard_EveryRankSkipsTheSameStep()
    {
        // Global batch 3 of epoch 2 holds a NaN pixel in row 0, which only rank 0's shard contains.
        var poisoned = new[] { (2, 3) };
        var single = Train(1, "skip-single", "sum", nanPolicy: "skip", poisoned: poisoned);
        var parallel = Train(2, "skip-parallel", "sum", nanPolicy: "skip", poisoned: poisoned);

        Assert.Equal(1, single.Summary.SkippedSteps);
        Assert.Equal(1, parallel.Summary.SkippedSteps);
        AssertClose(single.Weights, parallel.Weights, 1e-5);
    }

    [Fact]
    public void Run_NonFiniteLossWithFailPolicy_EveryRankFailsNamingTheStep()
    {
        var (errors, _) = RunRanks(2, "nan-fail", "sum", "fail", [(2, 3)], adaptive: false, expectFailure: true);
        foreach (var error in errors)
        {
            var nan = Assert.IsType<NonFiniteLossException>(error);
            Assert.Equal((2, 3), (nan.Epoch, nan.Batch));
        }
    }

    [Fact]
    public void Run_Float16LossScalerOverflows_EveryRankSkipsTheSameSteps()
    {
        // 2^20 overflows float16 gradients until the scale has backed off; a growth interval of 3 overflows it again.
        var (errors, summaries) = RunRanks(2, "fp16-parallel", "sum", "fail", [], adaptive: false, expectFailure: false,
            ["run.precision=float16", "run.loss_scale_init=1048576", "run.loss_scale_growth_interval=3"]);

        Assert.All(errors, e => Assert.Null(e));
        Assert.True(summaries[0]!.SkippedSteps > 0, "no step overflowed");
        Assert.Equal(summaries[0]!.Epochs.Select(e => e.SkippedSteps), summaries[1]!.Epochs.Select(e => e.SkippedSteps));
        Assert.Equal(summaries[0]!.Epochs.Select(e => e.TrainLoss), summaries[1]!.Epochs.Select(e => e.TrainLoss));
        Assert.Equal(summaries[0]!.Epochs.Select(e => e.Map), summaries[1]!.Epochs.Select(e => e.Map));
        Assert.True(summaries[0]!.SkippedSteps < summaries[0]!.Steps, "every step overflowed");
    }

    private (TrainingSummary Summary, float[][] Weights, string Folder) Train(int world, string name, string reduction, bool adaptive = false,
        string nanPolicy = "fail", (int, int)[]? poisoned = null)
    {
        RunRanks(world, name, reduction, nanPolicy, poisoned ?? [], adaptive, expectFailure: false);
        string folder = Path.Combine(_folder, name);
        var summary = System.Text.Json.JsonSerializer.Deserialize<TrainingSummary>(File.ReadAllText(new RunFiles(folder).Summary), RunJson.Options)!;
        using var scope = NewDisposeScope();
        var model = InMemoryBatches.Mlp(4);
        CheckpointFile.ReadModel(new RunFiles(folder).LastCheckpoint, model);
        return (summary, model.parameters().Select(p => p.data<float>().ToArray()).ToArray(), folder);
    }

    private (Exception?[] Errors, TrainingSummary?[] Summaries) RunRanks(int world, string name, string reduction, string nanPolicy, (int, int)[] poisoned,
        bool adaptive, bool expectFailure, string[]? settings = null)
    {
        var config = new TrainingConfig
        {
            Seed = 11,
            Schedule = new ScheduleConfig { Epochs = 3, StopEpoch = 0 },
            Optimizer = new OptimizerConfig { Lr = 3e-3 },
            Run = new RunConfig { BatchSize = 24, EmaDecay = 0.9 },
            Output = new OutputConfig { Dir = Path.Combine(_folder, name) },
            // The smallest bucket (about 1 KiB): the 4-class MLP's gradients span several buckets.
            Distributed = new DistributedConfig { BucketMb = 0.001 },
        };
        Assert.Empty(config.Set("run.nan_policy", nanPolicy));
        Assert.Empty(config.Set("loss.reduction", reduction));
        foreach (string setting in settings ?? [])
            Assert.Empty(config.Set(setting[..setting.IndexOf('=')], setting[(setting.IndexOf('=') + 1)..]));
        if (adaptive)
            config.Loss.Adaptive = new AdaptiveAsymmetryConfig { Lambda = 5, TargetProbGap = 0.1 };
        config.Validate();
        var train = new InMemoryBatches(240, 4, 24, dataSeed: 3, orderSeed: 4, poisoned: poisoned);
        var val = new InMemoryBatches(90, 4, 30, dataSeed: 3, orderSeed: 5);
        var ring = new InProcessRing(world);
        // Ranks share this process's torch generator, so torch's initialisation would differ between them and the
        // one-rank run: every model gets the same weights from its own generator instead, as separate processes
        // seeded alike would.
        nn.Module<Tensor, Tensor> CreateModel()
        {
            var model = InMemoryBatches.Mlp(4);
            var random = new Random(23);
            using var noGrad = torch.no_grad();
            foreach (var p in model.parameters())
                p.copy_(torch.tensor(Enumerable.Range(0, (int)p.numel()).Select(_ => (float)(random.NextDouble() - 0.5) * 0.4f).ToArray()).reshape(p.shape));
            return model;
        }
        var errors = new Exception?[world];
        var summaries = new TrainingSummary?[world];
        var threads = Enumerable.Range(0, world).Select(rank => new Thread(() =>
        {
            var group = world == 1 ? ProcessGroup.Single() : new ProcessGroup(ring.Links[rank], rank, world, chunkLength: 64);
            try
            {
                summaries[rank] = new Trainer(config, CreateModel, RunData.Unnamed(new ShardedBatches(train, rank, world), new ShardedBatches(val, rank, world), 4),
                    new TrainerServices { Group = group }).Run(resume: false);
            }
            catch (Exception e)
            {
                errors[rank] = e;
            }
        }) { IsBackground = true }).ToArray();
        foreach (var thread in threads)
            thread.Start();
        foreach (var thread in threads)
            Assert.True(thread.Join(HangLimit), $"a rank did not finish within {HangLimit} (a hang)");
        if (!expectFailure)
            Assert.All(errors, e => Assert.Null(e));
        return (errors, summaries);
    }

    private static void AssertClose(float[][] expected, float[][] actual, double relative)
    {
        for (int t = 0; t < expected.Length; t++)
        {
            double difference = 0, norm = 0;
            for (int i = 0; i < expected[t].Length; i++)
            {
                difference += Math.Pow(expected[t][i] - actual[t][i], 2);
                norm += Math.Pow(expected[t][i], 2);
            }
            Assert.True(Math.Sqrt(difference) <= relative * Math.Sqrt(norm), $"tensor {t}: relative difference {Math.Sqrt(difference / norm):E2}");
        }
    }
}
