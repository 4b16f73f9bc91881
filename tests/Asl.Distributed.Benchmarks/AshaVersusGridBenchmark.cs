using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using static Asl.Distributed.Benchmarks.BenchmarkOptions;

namespace Asl.Distributed.Benchmarks;

/// <summary>
/// ASHA against grid search on the same space and data (issue 16 §8): for each sweep seed, <c>asl sweep run</c> once
/// with algorithm grid (every trial its full epochs) and once with asha over the same grid, each on its own folder
/// with 2 local workers; reports each one's best metric and total epochs. Needs the Release build of src/Coordinator
/// and src/Worker/Host (dotnet build -c Release). Usage: asha-vs-grid [--seeds N] [--first-seed N] [--workers N]
/// [--space lr-gamma|gamma|gamma-clip] [--val-images N] [--max-epochs 8] [--grace 1] [--schedule onecycle|constant] [--common-seed] [--keep] (keeps the
/// sweep folders). With --common-seed every trial of a sweep trains with the same seed (the sweep's, swept as a
/// one-value grid), so trials differ in their settings only, as common random numbers; without it each trial's
/// seed derives from the sweep seed and its index. The spaces: <c>gamma</c>, γ− 1…6 × γ+ 0, 1 (12
/// trials, close to each other); <c>gamma-clip</c>, the same × clip 0, 0.05 (24 trials); <c>lr-gamma</c>, the learning rate over two decades × γ− 2, 4 × γ+ 0, 1 (20 trials,
/// the kind of space a user sweeps first).
/// </summary>
public static class AshaVersusGridBenchmark
{
    public static int Run(string[] args)
    {
        int seeds = Option(args, "--seeds", 3);
        int workers = Option(args, "--workers", 2);
        int firstSeed = Option(args, "--first-seed", 0);
        int valImages = Option(args, "--val-images", 300);
        int maxEpochs = Option(args, "--max-epochs", 8);
        int grace = Option(args, "--grace", 1);
        string spaceName = Option(args, "--space", "lr-gamma");
        bool commonSeed = args.Contains("--common-seed");
        string scheduleKind = Option(args, "--schedule", "onecycle");
        if (scheduleKind is not ("onecycle" or "constant"))
        {
            Console.Error.WriteLine($"asha-vs-grid: --schedule '{scheduleKind}' is not a schedule; allowed: onecycle, constant");
            return 2;
        }
        string space = spaceName switch
        {
            "gamma" => """
                  loss.gamma_neg: {grid: [1, 2, 3, 4, 5, 6]}
                  loss.gamma_pos: {grid: [0, 1]}
                """,
            "gamma-clip" => """
                  loss.gamma_neg: {grid: [1, 2, 3, 4, 5, 6]}
                  loss.gamma_pos: {grid: [0, 1]}
                  loss.clip: {grid: [0, 0.05]}
                """,
            "lr-gamma" => """
                  optimizer.lr: {grid: [0.0002, 0.0006, 0.002, 0.006, 0.02]}
                  loss.gamma_neg: {grid: [2, 4]}
                  loss.gamma_pos: {grid: [0, 1]}
                """,
            _ => null!,
        };
        if (space is null)
        {
            Console.Error.WriteLine($"asha-vs-grid: --space '{spaceName}' is not a space; allowed: lr-gamma, gamma, gamma-clip");
            return 2;
        }
        string asl = Path.Combine(RepositoryRoot(), "src", "Coordinator", "bin", "Release", "net10.0", "asl.dll");
        if (!File.Exists(asl))
        {
            Console.Error.WriteLine($"asha-vs-grid: {asl} is not built; run dotnet build -c Release src/Coordinator src/Worker/Host first");
            return 2;
        }
        string work = Directory.CreateTempSubdirectory("asl-asha-vs-grid-").FullName;
        Console.WriteLine($"space {spaceName}{(commonSeed ? " with one training seed per sweep" : "")}, {valImages} validation images, {maxEpochs} epochs of {scheduleKind}, ASHA grace {grace} and η 4, {workers} local workers, {Environment.ProcessorCount} cores; folders under {work}");
        Console.WriteLine();
        Console.WriteLine("| seed | grid best map_best | grid epochs | ASHA best map_best | ASHA epochs | ASHA epochs / grid | best difference (points) | grid s | ASHA s | grid: rank corr. of the rungs' epochs with the final metric |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        var rows = new List<(double GridBest, long GridEpochs, double AshaBest, long AshaEpochs)>();
        for (int seed = firstSeed; seed < firstSeed + seeds; seed++)
        {
            string trials = commonSeed ? space + $"\n  seed: {{grid: [{1000 + seed}]}}" : space;
            var grid = Sweep(asl, work, workers, $"grid-{seed}", seed, trials, valImages, "{kind: grid}", $"schedule: {{kind: {scheduleKind}, epochs: {maxEpochs}, stop_epoch: 0}}");
            var asha = Sweep(asl, work, workers, $"asha-{seed}", seed, trials, valImages,
                $"{{kind: asha, reduction_factor: 4, grace_period: {grace}, max_epochs: {maxEpochs}}}", $"schedule: {{kind: {scheduleKind}}}");
            rows.Add((grid.Best, grid.Epochs, asha.Best, asha.Epochs));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {seed} | {grid.Best:0.00} | {grid.Epochs} | {asha.Best:0.00} | {asha.Epochs} | {100.0 * asha.Epochs / grid.Epochs:0}% | {asha.Best - grid.Best:+0.00;-0.00} | {grid.Seconds:0} | {asha.Seconds:0} | {RankCorrelation(grid.Curves, grace):0.00}, {RankCorrelation(grid.Curves, grace * 4):0.00} |"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"\nmean: ASHA used {100.0 * rows.Sum(r => r.AshaEpochs) / rows.Sum(r => r.GridEpochs):0}% of grid's epochs; best difference {rows.Average(r => r.AshaBest - r.GridBest):+0.00;-0.00} points (worst {rows.Min(r => r.AshaBest - r.GridBest):+0.00;-0.00})"));
        if (!args.Contains("--keep"))
            Directory.Delete(work, recursive: true);
        return 0;
    }

    private static (double Best, long Epochs, double Seconds, List<double[]> Curves) Sweep(
        string asl, string work, int workers, string name, int seed, string space, int valImages, string algorithm, string schedule)
    {
        string folder = Path.Combine(work, name);
        Directory.CreateDirectory(folder);
        string spec = Path.Combine(folder, "spec.yaml");
        File.WriteAllText(spec, $$"""
            name: {{name}}
            config:
              data:
                kind: synthetic-shapes
                synthetic: {classes: 12, train_images: 1000, val_images: {{valImages}}, image_size: 64, missing_label_fraction: 0.2}
              model: {name: small_cnn}
              image: {size: 64, cutout: true, randaugment_n: 2, randaugment_m: 9}
              loss: {preset: asl, clip: 0.05}
              optimizer: {lr: 0.002, weight_decay: 0.0001}
              {{schedule}}
              run: {batch_size: 64, ema_decay: 0.99, threads: 1, loader_workers: 1}
            search_space:
            {{space}}
            algorithm: {{algorithm}}
            metric: {name: map_best, mode: max}
            seed: {{seed}}
            """);
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = work, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "exec", asl, "sweep", "run", spec, "--local-workers", workers.ToString(CultureInfo.InvariantCulture), "--dir", Path.Combine(folder, "coordinator") })
            start.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"asl sweep run {name} exited {process.ExitCode}:\n{output.Result}\n{error.Result}");
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "coordinator", "results", name + ".json")));
        // Each trial's metric (the better of the regular and the EMA model's mAP) epoch by epoch.
        var curves = results.RootElement.GetProperty("trials").EnumerateArray()
            .Select(t => t.GetProperty("epochs").EnumerateArray()
                .Select(e => Math.Max(e.GetProperty("map").GetDouble(), e.GetProperty("map_ema").GetDouble())).ToArray())
            .ToList();
        return (results.RootElement.GetProperty("best_metric").GetDouble(), results.RootElement.GetProperty("total_epochs").GetInt64(), clock.Elapsed.TotalSeconds, curves);
    }

    /// <summary>
    /// Spearman's rank correlation between the trials' metric at <paramref name="epoch"/> and their best over all
    /// epochs: how well a rung at that epoch can predict the final order (1 = perfectly).
    /// </summary>
    private static double RankCorrelation(List<double[]> curves, int epoch)
    {
        var full = curves.Where(c => c.Length >= epoch).ToList();
        var early = Ranks([.. full.Select(c => c[epoch - 1])]);
        var final = Ranks([.. full.Select(c => c.Max())]);
        double meanEarly = early.Average(), meanFinal = final.Average();
        double covariance = early.Zip(final, (a, b) => (a - meanEarly) * (b - meanFinal)).Sum();
        return covariance / Math.Sqrt(early.Sum(a => (a - meanEarly) * (a - meanEarly)) * final.Sum(b => (b - meanFinal) * (b - meanFinal)));
    }

    /// <summary>Ranks from 1, ties given their average rank.</summary>
    private static double[] Ranks(double[] values)
    {
        var order = Enumerable.Range(0, values.Length).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Length];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]])
                end++;
            for (int k = start; k <= end; k++)
                ranks[order[k]] = (start + end) / 2.0 + 1;
            start = end + 1;
        }
        return ranks;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Asl.Distributed.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("the repository root (Asl.Distributed.sln) is not above " + AppContext.BaseDirectory);
    }
}
