using System.Diagnostics;
using Asl.Distributed.Training.Loop;
using Asl.Distributed.Training.Models;
using TorchSharp;
using static TorchSharp.torch;
using static Asl.Distributed.Benchmarks.BenchmarkOptions;
using SafeAdam = Asl.Distributed.Training.Optimizers.Adam;
using TorchSharpAdam = TorchSharp.Modules.Adam;

namespace Asl.Distributed.Benchmarks;

/// <summary>
/// Adam's step on the trainer's two groups (weight decay on weights) per parameter tensor against the flat step on
/// one buffer per group (issue 17 §2), on the same model and gradients, rounds interleaved.
/// Usage: optimizer-step [--model resnet50] [--steps 10] [--rounds 5] [--threads 2]
/// </summary>
internal static class OptimizerStepBenchmark
{
    public static int Run(string[] args)
    {
        string name = Option(args, "--model", "resnet50");
        int steps = Option(args, "--steps", 10);
        int rounds = Option(args, "--rounds", 5);
        int threads = Option(args, "--threads", 2);
        torch.set_num_threads(threads);
        torch.manual_seed(0);
        using var perParameterModel = ModelFactory.Create(name, 80);
        using var flatModel = ModelFactory.Create(name, 80);
        flatModel.load_state_dict(perParameterModel.state_dict());
        var perParameter = new SafeAdam(Groups(perParameterModel), flat: false);
        var flat = new SafeAdam(Groups(flatModel), flat: true);
        using (torch.no_grad())
        {
            foreach (var (p, q) in perParameterModel.parameters().Zip(flatModel.parameters()))
            {
                p.grad = torch.randn_like(p).mul_(1e-3);
                using var g = q.grad!;
                g.copy_(p.grad);
            }
        }
        int tensors = perParameterModel.parameters().Count();
        long count = perParameterModel.parameters().Sum(p => p.numel());

        var times = new Dictionary<string, List<double>> { ["per-parameter"] = [], ["flat"] = [] };
        Time(perParameter, 1);
        Time(flat, 1);
        for (int round = 0; round < rounds; round++)
        {
            times["per-parameter"].Add(Time(perParameter, steps));
            times["flat"].Add(Time(flat, steps));
        }
        bool same = perParameterModel.parameters().Zip(flatModel.parameters()).All(pair => pair.First.bytes.SequenceEqual(pair.Second.bytes));
        Console.WriteLine($"{name}: {tensors} parameter tensors, {count:N0} parameters, 2 groups; {threads} threads; {steps} steps per round, {rounds} interleaved rounds");
        Console.WriteLine($"weights after all steps bitwise equal: {same}");
        Console.WriteLine();
        Console.WriteLine("| step | ms per step (median) | all rounds | vs per-parameter |");
        Console.WriteLine("|---|---|---|---|");
        double baseline = Median(times["per-parameter"]);
        foreach (var (label, values) in times)
            Console.WriteLine($"| {label} | {Median(values):F2} | {string.Join(", ", values.Select(v => v.ToString("F2")))} | {Median(values) / baseline:F2}× |");
        return 0;
    }

    private static TorchSharpAdam.ParamGroup[] Groups(nn.Module model)
    {
        var (decay, noDecay) = ParameterGroups.Split(model);
        return
        [
            new TorchSharpAdam.ParamGroup(decay.Select(p => p.Parameter), 1e-4, 0.9, 0.999, 1e-8, 1e-4),
            new TorchSharpAdam.ParamGroup(noDecay.Select(p => p.Parameter), 1e-4, 0.9, 0.999, 1e-8, 0),
        ];
    }

    /// <summary>Milliseconds per step over <paramref name="steps"/> steps.</summary>
    private static double Time(TorchSharpAdam optimizer, int steps)
    {
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++)
            optimizer.step();
        return watch.Elapsed.TotalMilliseconds / steps;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
