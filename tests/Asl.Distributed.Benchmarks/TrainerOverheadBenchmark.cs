using System.Diagnostics;
using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Training.Losses;
using Asl.Distributed.Training.Loop;
using Asl.Distributed.Training.Models;
using TorchSharp;
using static TorchSharp.torch;
using static Asl.Distributed.Benchmarks.BenchmarkOptions;

namespace Asl.Distributed.Benchmarks;

/// <summary>
/// A training step of the full trainer (schedule, EMA, progress, NaN check) against a bare
/// forward/backward/step loop on the same tensors and model: the trainer's overhead.
/// Usage: trainer-overhead [--model resnet50] [--batch 8] [--size 224] [--steps 6] [--rounds 2] [--threads 2]
/// </summary>
internal static class TrainerOverheadBenchmark
{
    public static int Run(string[] args)
    {
        string model = Option(args, "--model", "resnet50");
        int batch = Option(args, "--batch", 8);
        int size = Option(args, "--size", 224);
        int steps = Option(args, "--steps", 6);
        int rounds = Option(args, "--rounds", 2);
        int threads = Option(args, "--threads", 2);
        torch.set_num_threads(threads);
        torch.manual_seed(0);
        const int classes = 80;
        var images = torch.rand(batch, 3, size, size);
        var targets = torch.rand(batch, classes).lt(0.05).to(ScalarType.Float32);

        var bare = new List<double>();
        var trainer = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            bare.Add(BareLoop(model, classes, size, images, targets, steps, Config(model, size, "unused")));
            trainer.Add(ThroughTrainer(model, classes, size, images, targets, steps));
        }
        double bareBest = bare.Max();
        double trainerBest = trainer.Max();
        Console.WriteLine($"{model}, batch {batch}, {size}², {threads} threads, {steps} steps per measurement, best of {rounds} interleaved rounds");
        Console.WriteLine();
        Console.WriteLine("| loop | images/s (best) | all rounds | overhead vs bare |");
        Console.WriteLine("|---|---|---|---|");
        Console.WriteLine($"| bare forward/backward/step | {bareBest:F2} | {string.Join(", ", bare.Select(v => v.ToString("F2")))} | — |");
        Console.WriteLine($"| full trainer (schedule, EMA 0.9997, checks) | {trainerBest:F2} | {string.Join(", ", trainer.Select(v => v.ToString("F2")))} | {(bareBest / trainerBest - 1) * 100:F1} % |");
        return 0;
    }

    /// <summary>The same optimizer (two groups, weight decay on weights) and loss as the trainer's: only the loop differs.</summary>
    private static double BareLoop(string name, int classes, int size, Tensor images, Tensor targets, int steps, TrainingConfig config)
    {
        using var model = ModelFactory.Create(name, classes, size);
        model.train();
        using var loss = new AsymmetricLoss(config.Loss.ToOptions());
        var optimizer = TrainingModels.CreateOptimizer(model, config, Asl.Distributed.Training.Devices.TrainingDevice.Cpu);
        void Step()
        {
            using var scope = NewDisposeScope();
            var value = loss.forward(model.forward(images), targets);
            value.item<float>();
            optimizer.zero_grad();
            value.backward();
            optimizer.step();
        }
        Step(); // warm-up: first-touch allocations and JIT
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) Step();
        return steps * images.shape[0] / clock.Elapsed.TotalSeconds;
    }

    private static double ThroughTrainer(string name, int classes, int size, Tensor images, Tensor targets, int steps)
    {
        string output = Path.Combine(Path.GetTempPath(), $"asl-overhead-{Guid.NewGuid():N}");
        var config = Config(name, size, output);
        var train = new RepeatedBatches(images, targets, steps + 1);
        var validation = new RepeatedBatches(images, targets, 1);
        var summary = new Trainer(config, () => ModelFactory.Create(name, classes, size), RunData.Unnamed(train, validation, classes))
            .Run(resume: false);
        Directory.Delete(output, recursive: true);
        // Epoch 2 is warm (the first includes first-touch allocations), as the bare loop's timed steps are.
        return summary.Epochs[^1].ImagesPerSecond;
    }

    private static TrainingConfig Config(string name, int size, string output) => TrainingConfigLoader.Parse("", [$"output.dir={output}",
        "schedule.epochs=2", "schedule.stop_epoch=0", $"model.name={name}", $"image.size={size}", "run.ema_decay=0.9997", "loss.preset=asl-coco"]);

    private sealed class RepeatedBatches(Tensor images, Tensor targets, int count) : IEpochBatches
    {
        public int BatchesPerEpoch => count;

        public IEnumerable<(Tensor Images, Tensor Targets)> Epoch(int epoch, CancellationToken cancellationToken)
        {
            for (int i = 0; i < count; i++)
                yield return (images.alias(), targets.alias());
        }
    }
}
