using System.Diagnostics;
using Asl.Distributed.Losses;
using Asl.Distributed.Training.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Benchmarks;

/// <summary>
/// Forward + backward time and peak native memory of the fused and composite ASL against TorchSharp's own
/// binary_cross_entropy_with_logits (one elementwise pass: the floor) at COCO and Open Images sizes.
/// Usage: loss [--threads N] [--seconds S] [--preset asl|asl-coco|bce|focal] (default asl, the official
/// settings; bce and focal take the clip-0 route). Peak memory is measured in a fresh child process per row
/// (<c>loss-memory IMPLEMENTATION BATCH CLASSES THREADS PRESET</c>), with glibc told to map every large block, so
/// that freed tensors cached by earlier iterations cannot hide an implementation's intermediates.
/// </summary>
internal static class LossBenchmark
{
    private static readonly (int Batch, int Classes)[] Sizes = [(128, 80), (1024, 80), (256, 9605)];

    public static int Run(string[] args)
    {
        int threads = Option(args, "--threads", 2);
        double seconds = Option(args, "--seconds", 2.0);
        string preset = Option(args, "--preset", "asl");
        torch.set_num_threads(threads);
        torch.manual_seed(0);
        var settings = AsymmetricLossSettings.From(AsymmetricLossOptions.FromPreset(preset, "--preset"));

        Console.WriteLine($"torch threads: {torch.get_num_threads()}, {Environment.ProcessorCount} cores, preset {preset} ({settings}), reduction sum, float32");
        Console.WriteLine();
        Console.WriteLine("| batch × classes | implementation | forward + backward (ms, median) | forward only, no grad (ms) | peak extra memory (MiB) | vs composite | vs BCE-with-logits |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var (batch, classes) in Sizes)
        {
            using var scope = NewDisposeScope();
            var logits = torch.randn(batch, classes) * 3;
            var targets = torch.rand(batch, classes).lt(0.05).to(ScalarType.Float32);
            // Round robin: each round times every candidate once, so load from elsewhere falls on all of them alike.
            var losses = Candidates.Select(c => c.Loss(targets, settings)).ToArray();
            var results = MeasureInterleaved(losses, logits, seconds);
            for (int i = 0; i < Candidates.Length; i++)
            {
                var (trainMs, evalMs) = results[i];
                double peakMiB = PeakMemoryInChild(Candidates[i].Key, batch, classes, threads, preset);
                Console.WriteLine(
                    $"| {batch} × {classes} | {Candidates[i].Name} | {trainMs:F3} | {evalMs:F3} | {peakMiB:F1} | " +
                    $"{trainMs / results[1].TrainMs:F2}× | {trainMs / results[2].TrainMs:F2}× |");
            }
        }
        return 0;
    }

    private static readonly (string Key, string Name, Func<Tensor, AsymmetricLossSettings, Func<Tensor, Tensor>> Loss)[] Candidates =
    [
        ("fused", "fused ASL", (targets, s) => z => AsymmetricLossFused.Compute(z, targets, s)),
        ("composite", "composite ASL", (targets, s) => z => AsymmetricLossComposite.Compute(z, targets, s)),
        ("bce", "BCE-with-logits", (targets, _) => z => nn.functional.binary_cross_entropy_with_logits(z, targets, reduction: nn.Reduction.Sum)),
    ];

    /// <summary>Child-process entry: one forward + backward, prints the peak resident growth in MiB.</summary>
    public static int RunMemory(string[] args)
    {
        var candidate = Candidates.Single(c => c.Key == args[0]);
        int batch = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
        int classes = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        torch.set_num_threads(int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
        var settings = AsymmetricLossSettings.From(AsymmetricLossOptions.FromPreset(args.Length > 4 ? args[4] : "asl", "preset"));
        torch.manual_seed(0);
        var logits = torch.randn(batch, classes) * 3;
        var targets = torch.rand(batch, classes).lt(0.05).to(ScalarType.Float32);
        var loss = candidate.Loss(targets, settings);
        Console.WriteLine(PeakResidentMiBDuring(() =>
        {
            using var scope = NewDisposeScope();
            var z = logits.detach().requires_grad_(true);
            loss(z).backward();
        }).ToString("F1", System.Globalization.CultureInfo.InvariantCulture));
        return 0;
    }

    private static double PeakMemoryInChild(string key, int batch, int classes, int threads, string preset)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
            start.ArgumentList.Add(typeof(LossBenchmark).Assembly.Location);
        foreach (string arg in new[] { "loss-memory", key, $"{batch}", $"{classes}", $"{threads}", preset })
            start.ArgumentList.Add(arg);
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
        var total = Stopwatch.StartNew();
        while (times[0].Count < 10 || (total.Elapsed.TotalSeconds < seconds * losses.Length && times[0].Count < 10_000))
        {
            for (int i = 0; i < losses.Length; i++)
            {
                long start = Stopwatch.GetTimestamp();
                step(losses[i]);
                times[i].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }
        return times.Select(t => t.Order().ElementAt(t.Count / 2)).ToArray();
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

    private static T Option<T>(string[] args, string name, T fallback) where T : IParsable<T>
    {
        int index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? T.Parse(args[index + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    }
}
