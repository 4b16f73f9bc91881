using System.Globalization;
using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Training.Runs;

namespace Asl.Distributed.Benchmarks;

/// <summary>
/// BCE, focal loss and ASL trained with the same budget on the synthetic long-tailed set with missing labels,
/// several seeds each; prints best validation mAP (regular or EMA) as mean ± standard deviation.
/// Usage: compare-losses [CONFIG.yaml] [--seeds N] [section.key=value ...]
/// </summary>
internal static class LossComparisonBenchmark
{
    private static readonly (string Name, string[] Settings)[] Losses =
    [
        ("BCE", ["loss.preset=bce"]),
        ("focal (γ = 2)", ["loss.preset=focal"]),
        ("ASL (γ− 4, γ+ 0, m 0.05)", ["loss.preset=asl-coco"]),
    ];

    public static int Run(string[] args)
    {
        string config = args.FirstOrDefault(a => a.EndsWith(".yaml", StringComparison.Ordinal)) ?? "examples/train-shapes-asl.yaml";
        int seedsIndex = Array.IndexOf(args, "--seeds");
        int seeds = seedsIndex >= 0 ? int.Parse(args[seedsIndex + 1], CultureInfo.InvariantCulture) : 3;
        var overrides = args.Where(a => a.Contains('=', StringComparison.Ordinal)).ToArray();
        string root = Path.Combine(Path.GetTempPath(), $"asl-compare-{Environment.ProcessId}");

        var rows = new List<(string Loss, double Mean, double Std, double[] Values)>();
        foreach (var (name, settings) in Losses)
        {
            var values = new double[seeds];
            for (int seed = 0; seed < seeds; seed++)
            {
                string output = Path.Combine(root, $"{rows.Count}-{seed}");
                var run = TrainingConfigLoader.Load(config, [.. overrides, .. settings, $"seed={seed}", $"output.dir={output}"]);
                using var training = TrainingRun.Create(run);
                values[seed] = training.Trainer.Run(resume: false).BestMap;
                Console.Error.WriteLine($"{name} seed {seed}: best mAP {values[seed]:F2}");
            }
            double mean = values.Average();
            double std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, seeds - 1));
            rows.Add((name, mean, std, values));
        }
        Directory.Delete(root, recursive: true);

        Console.WriteLine($"config {config} {string.Join(' ', overrides)}; best validation mAP (regular or EMA) over {seeds} seeds");
        Console.WriteLine();
        Console.WriteLine("| loss | mAP mean ± std | per seed |");
        Console.WriteLine("|---|---|---|");
        foreach (var (loss, mean, std, values) in rows)
            Console.WriteLine($"| {loss} | {mean:F2} ± {std:F2} | {string.Join(", ", values.Select(v => v.ToString("F2", CultureInfo.InvariantCulture)))} |");
        return 0;
    }
}
