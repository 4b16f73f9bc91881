using System.Diagnostics;
using System.Reflection;
using System.Runtime.Loader;
using Asl.Distributed.Losses;
using Asl.Distributed.Training.Losses;
using TorchSharp;
using static TorchSharp.torch;
using static Asl.Distributed.Benchmarks.BenchmarkOptions;

namespace Asl.Distributed.Benchmarks;

/// <summary>
/// Forward + backward time and peak native memory of the fused and composite ASL against TorchSharp's own
/// binary_cross_entropy_with_logits (one elementwise pass: the floor) at COCO and Open Images sizes.
/// Usage: loss [--threads N] [--seconds S] [--preset asl|asl-coco|bce|focal] [--baseline DIR]. The preset defaults
/// to asl, the official settings (bce and focal take the clip-0 route). <c>--baseline</c> names the output folder of
/// another build: its fused and composite forms join the same rounds (two more rows and a "vs baseline" column),
/// so a change to the loss is timed against the code before it under the same load. Peak memory is measured in a
/// fresh child process per row (<c>loss-memory IMPLEMENTATION BATCH CLASSES THREADS PRESET [DIR]</c>), with glibc
/// told to map every large block, so that freed tensors cached by earlier iterations cannot hide an
/// implementation's intermediates.
/// </summary>
internal static class LossBenchmark
{
    private static readonly (int Batch, int Classes)[] Sizes = [(128, 80), (1024, 80), (256, 9605)];

    public static int Run(string[] args)
    {
        int threads = Option(args, "--threads", 2);
        double seconds = Option(args, "--seconds", 2.0);
        string preset = Option(args, "--preset", "asl");
        int baselineAt = Array.IndexOf(args, "--baseline");
        string? baselineDirectory = baselineAt >= 0 && baselineAt + 1 < args.Length ? args[baselineAt + 1] : null;
        if (baselineDirectory is not null && !File.Exists(Path.Combine(baselineDirectory, "Asl.Distributed.Training.dll")))
            throw new ArgumentException($"--baseline: no Asl.Distributed.Training.dll in '{baselineDirectory}'; give the output folder of another build");
        torch.set_num_threads(threads);
        torch.manual_seed(0);
        var settings = AsymmetricLossSettings.From(AsymmetricLossOptions.FromPreset(preset, "--preset"));
        var candidates = Candidates(baselineDirectory);

        Console.WriteLine($"torch threads: {torch.get_num_threads()}, {Environment.ProcessorCount} cores, preset {preset} ({settings}), reduction sum, float32");
        if (baselineDirectory is not null)
            Console.WriteLine($"baseline: {Path.GetFullPath(baselineDirectory)}");
        Console.WriteLine();
        string baselineHeader = baselineDirectory is null ? "" : " vs baseline |";
        Console.WriteLine($"| batch × classes | implementation | forward + backward (ms, median) | forward only, no grad (ms) | peak extra memory (MiB) | vs composite | vs BCE-with-logits |{baselineHeader}");
        Console.WriteLine($"|---|---|---|---|---|---|---|{(baselineDirectory is null ? "" : "---|")}");
        foreach (var (batch, classes) in Sizes)
        {
            using var scope = NewDisposeScope();
            var logits = torch.randn(batch, classes) * 3;
            var targets = torch.rand(batch, classes).lt(0.05).to(ScalarType.Float32);
            // Round robin: each round times every candidate once, so load from elsewhere falls on all of them alike.
            var losses = candidates.Select(c => c.Loss(targets, preset)).ToArray();
            var results = MeasureInterleaved(losses, logits, seconds);
            for (int i = 0; i < candidates.Length; i++)
            {
                var (trainMs, evalMs) = results[i];
                double peakMiB = PeakMemoryInChild(candidates[i].Key, batch, classes, threads, preset, baselineDirectory);
                // The baseline rows follow the three of this build in the same order: fused, then composite.
                string versusBaseline = baselineDirectory is null ? "" : i < 2
                    ? $" {trainMs / results[i + 3].TrainMs:F2}× |"
                    : " |";
                Console.WriteLine(
                    $"| {batch} × {classes} | {candidates[i].Name} | {trainMs:F3} | {evalMs:F3} | {peakMiB:F1} | " +
                    $"{trainMs / results[1].TrainMs:F2}× | {trainMs / results[2].TrainMs:F2}× |{versusBaseline}");
            }
        }
        return 0;
    }

    private sealed record Candidate(string Key, string Name, Func<Tensor, string, Func<Tensor, Tensor>> Loss);

    /// <summary>This build's forms and BCE-with-logits, then (with a baseline folder) the baseline's fused and composite forms.</summary>
    private static Candidate[] Candidates(string? baselineDirectory)
    {
        static AsymmetricLossSettings Settings(string preset) => AsymmetricLossSettings.From(AsymmetricLossOptions.FromPreset(preset, "--preset"));
        Candidate[] own =
        [
            new("fused", "fused ASL", (targets, preset) => { var s = Settings(preset); return z => AsymmetricLossFused.Compute(z, targets, s); }),
            new("composite", "composite ASL", (targets, preset) => { var s = Settings(preset); return z => AsymmetricLossComposite.Compute(z, targets, s); }),
            new("bce", "BCE-with-logits", (targets, _) => z => nn.functional.binary_cross_entropy_with_logits(z, targets, reduction: nn.Reduction.Sum)),
        ];
        if (baselineDirectory is null)
            return own;
        var baseline = new BaselineBuild(baselineDirectory);
        return
        [
            .. own,
            new("baseline-fused", "fused ASL (baseline)", (targets, preset) => baseline.Loss("AsymmetricLossFused", targets, preset)),
            new("baseline-composite", "composite ASL (baseline)", (targets, preset) => baseline.Loss("AsymmetricLossComposite", targets, preset)),
        ];
    }

    /// <summary>
    /// This project's assemblies from another build's output folder, loaded beside the current ones. TorchSharp and
    /// everything else resolve to the running process's copies, so tensors pass between the two builds.
    /// </summary>
    private sealed class BaselineBuild(string directory) : AssemblyLoadContext("loss-baseline")
    {
        protected override Assembly? Load(AssemblyName assemblyName)
        {
            string path = Path.Combine(directory, assemblyName.Name + ".dll");
            bool ours = assemblyName.Name is "Asl.Distributed.Training" or "Asl.Distributed.Shared";
            return ours && File.Exists(path) ? LoadFromAssemblyPath(Path.GetFullPath(path)) : null;
        }

        /// <summary>The baseline's <c>Compute</c> of the named loss form with the preset's settings, called through reflection.</summary>
        public Func<Tensor, Tensor> Loss(string formType, Tensor targets, string preset)
        {
            var training = LoadFromAssemblyName(new AssemblyName("Asl.Distributed.Training"));
            var shared = LoadFromAssemblyName(new AssemblyName("Asl.Distributed.Shared"));
            object? options = shared.GetType("Asl.Distributed.Losses.AsymmetricLossOptions", throwOnError: true)!
                .GetMethod("FromPreset", [typeof(string), typeof(string)])!.Invoke(null, [preset, "--preset"]);
            object? settings = training.GetType("Asl.Distributed.Training.Losses.AsymmetricLossSettings", throwOnError: true)!
                .GetMethod("From")!.Invoke(null, [options, null]);
            var compute = training.GetType($"Asl.Distributed.Training.Losses.{formType}", throwOnError: true)!.GetMethod("Compute")!;
            return z => (Tensor)compute.Invoke(null, [z, targets, settings])!;
        }
    }

    /// <summary>Child-process entry: one forward + backward, prints the peak resident growth in MiB.</summary>
    public static int RunMemory(string[] args)
    {
        var candidate = Candidates(args.Length > 5 ? args[5] : null).Single(c => c.Key == args[0]);
        int batch = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
        int classes = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        torch.set_num_threads(int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
        string preset = args.Length > 4 ? args[4] : "asl";
        torch.manual_seed(0);
        var logits = torch.randn(batch, classes) * 3;
        var targets = torch.rand(batch, classes).lt(0.05).to(ScalarType.Float32);
        var loss = candidate.Loss(targets, preset);
        Console.WriteLine(PeakResidentMiBDuring(() =>
        {
            using var scope = NewDisposeScope();
            var z = logits.detach().requires_grad_(true);
            loss(z).backward();
        }).ToString("F1", System.Globalization.CultureInfo.InvariantCulture));
        return 0;
    }

    private static double PeakMemoryInChild(string key, int batch, int classes, int threads, string preset, string? baselineDirectory)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
            start.ArgumentList.Add(typeof(LossBenchmark).Assembly.Location);
        foreach (string arg in new[] { "loss-memory", key, $"{batch}", $"{classes}", $"{threads}", preset })
            start.ArgumentList.Add(arg);
        if (baselineDirectory is not null)
            start.ArgumentList.Add(baselineDirectory);
        start.Environment["MALLOC_MMAP_THRESHOLD_"] = "65536";
        using var child = Process.Start(start)!;
        string output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        return double.Parse(output.Trim().Split('\n')[^1], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static (double TrainMs, double EvalMs)[] MeasureInterleaved(Func<Tensor, Tensor>[] losses, Tensor logits, double seconds)
    {
        void TrainStep(Func<Tensor, Tensor> loss)
        {
            using var scope = NewDisposeScope();
            var z = logits.detach().requires_grad_(true);
            loss(z).backward();
        }
        void EvalStep(Func<Tensor, Tensor> loss)
        {
            using var scope = NewDisposeScope();
            using var noGrad = torch.no_grad();
            loss(logits).item<float>();
        }

        foreach (var loss in losses)
            for (int i = 0; i < 5; i++) TrainStep(loss);
        var train = MediansMs(losses, TrainStep, seconds);
        var eval = MediansMs(losses, EvalStep, seconds / 2);
        return train.Zip(eval).ToArray();
    }

    private static double[] MediansMs(Func<Tensor, Tensor>[] losses, Action<Func<Tensor, Tensor>> step, double seconds)
    {
        var times = losses.Select(_ => new List<double>()).ToArray();
        var orders = CarryoverBalancedOrders(losses.Length);
        var total = Stopwatch.StartNew();
        for (int round = 0; times[0].Count < 10 || (total.Elapsed.TotalSeconds < seconds * losses.Length && times[0].Count < 10_000); round++)
        {
            foreach (int i in orders[round % orders.Length])
            {
                long start = Stopwatch.GetTimestamp();
                step(losses[i]);
                times[i].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }
        return times.Select(t => t.Order().ElementAt(t.Count / 2)).ToArray();
    }

    /// <summary>
    /// The orders of the rounds, a Williams design: over one cycle of them every candidate directly follows every
    /// other equally often. The one after an allocation-heavy candidate finds colder caches and may have to fault in
    /// the pages its outputs are written to, so a fixed predecessor biases a comparison (with 0, 1, 2, … and each
    /// round starting one later, candidate i would almost always follow candidate i − 1). Rows: 0, 1, n−1, 2, n−2, …
    /// shifted by each r in [0, n); for odd n also each reversed.
    /// </summary>
    private static int[][] CarryoverBalancedOrders(int n)
    {
        var first = Enumerable.Range(0, n).Select(j => j % 2 == 1 ? (j + 1) / 2 : (n - j / 2) % n).ToArray();
        var rows = Enumerable.Range(0, n).Select(r => first.Select(a => (a + r) % n).ToArray()).ToList();
        if (n % 2 == 1)
            rows.AddRange([.. rows.Select(row => row.Reverse().ToArray())]);
        return [.. rows];
    }

    /// <summary>Peak resident memory above the level before the step: resets the kernel's high-water mark first.</summary>
    private static double PeakResidentMiBDuring(Action step)
    {
        GC.Collect();
        File.WriteAllText("/proc/self/clear_refs", "5");
        double before = StatusKiB("VmRSS");
        step();
        return (StatusKiB("VmHWM") - before) / 1024;
    }

    private static double StatusKiB(string field)
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return double.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        throw new InvalidOperationException($"/proc/self/status has no {field}");
    }
}
