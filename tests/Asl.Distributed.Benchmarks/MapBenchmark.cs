using System.Diagnostics;
using System.Globalization;
using Asl.Distributed.Training.Metrics;

namespace Asl.Distributed.Benchmarks;

/// <summary>
/// Time and memory of mAP and the threshold/top-k metrics at validation-set sizes: COCO val (40,000 × 80) and
/// Open Images (100,000 × 9,605). Targets are sparse and long-tailed (class c is positive with probability
/// a/(1 + c)^b), scores lean high for positives, all from fixed seeds.
/// Usage: map [--sizes coco,openimages,NxK] [--skip-large] [--repetitions R] [--seed S]
/// </summary>
internal static class MapBenchmark
{
    private const int BatchRows = 256;

    /// <summary>Prints the markdown tables; returns 0, or 2 on an unknown argument.</summary>
    public static int Run(string[] args)
    {
        var sizes = new List<(string Name, int Rows, int Classes)> { ("COCO val", 40_000, 80), ("Open Images", 100_000, 9_605) };
        int repetitions = 7;
        int seed = 1;
        for (int i = 0; i < args.Length; i++)
        {
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--skip-large":
                    sizes.RemoveAll(s => s.Classes > 1_000);
                    break;
                case "--sizes" when value is not null && TryParseSizes(value, out var parsed):
                    sizes = parsed;
                    i++;
                    break;
                case "--repetitions" when int.TryParse(value, out repetitions) && repetitions > 0:
                case "--seed" when int.TryParse(value, out seed):
                    i++;
                    break;
                default:
                    Console.Error.WriteLine("usage: map [--sizes coco,openimages,NxK] [--skip-large] [--repetitions R] [--seed S]");
                    return 2;
            }
        }

        Console.WriteLine($"{Environment.ProcessorCount} cores, .NET {Environment.Version}, seed {seed}; times are medians (min) of R runs after a warm-up.");
        Console.WriteLine();
        Console.WriteLine("| N × K | step | median (ms) | min (ms) | R | allocated per run (MiB) | peak RSS (GiB) |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        WarmUp();
        foreach (var (name, rows, classes) in sizes)
        {
            ResetPeakResident();
            // Fewer runs where one run costs seconds.
            int runs = (long)rows * classes > 100_000_000 ? Math.Min(repetitions, 3) : repetitions;
            string size = $"{rows:N0} × {classes:N0} ({name})";
            var accumulator = new MultiLabelScoreAccumulator(classes, rows);
            var (addSeconds, positives) = Fill(accumulator, rows, classes, seed);
            Row(size, $"add, first epoch ({positives:N0} positives; allocates, so includes page faults)", [addSeconds * 1000], 0);
            accumulator.Clear();
            (addSeconds, _) = Fill(accumulator, rows, classes, seed);
            Row(size, "add, next epoch (after Clear, buffers reused)", [addSeconds * 1000], 0);
            Measure(size, "mAP", runs, () => accumulator.ComputeMeanAveragePrecision());
            Measure(size, "CP/CR/CF1/OP/OR/OF1 at t = 0.5", runs, () => accumulator.ComputeAtThreshold(0.5f));
            Measure(size, "same at top-3", runs, () => accumulator.ComputeTopK(3));
            GC.Collect();
        }

        CompareSorts(100_000, seed, repetitions);
        return 0;
    }

    /// <summary>
    /// Ranking one class's samples, as mAP does for a class with many positives: the radix sort on packed keys it
    /// uses, against <c>Span.Sort</c> on the same keys and <c>Array.Sort</c> on (score, label) pairs.
    /// </summary>
    private static void CompareSorts(int sampleCount, int seed, int runs)
    {
        var random = new Random(seed);
        var scores = new float[sampleCount];
        var labels = new byte[sampleCount];
        for (int i = 0; i < sampleCount; i++)
        {
            scores[i] = random.NextSingle();
            labels[i] = random.NextDouble() < 0.1 ? (byte)1 : (byte)0;
        }

        var items = new ulong[sampleCount];
        var buffer = new ulong[sampleCount];
        var digitCounts = new int[ScoreRadixSort.DigitCountsLength];
        var keys = new float[sampleCount];
        var values = new byte[sampleCount];
        void Pack()
        {
            for (int i = 0; i < sampleCount; i++)
            {
                items[i] = ((ulong)ScoreRadixSort.DescendingKey(scores[i]) << 32) | labels[i];
            }
        }

        var candidates = new (string Name, Action Sort)[]
        {
            ("radix sort of packed (key, label)", () => { Pack(); ScoreRadixSort.SortByHighWord(items, buffer, digitCounts); }),
            ("Span.Sort of packed (key, label)", () => { Pack(); items.AsSpan().Sort(); }),
            ("Array.Sort(scores, labels)", () => { scores.CopyTo(keys, 0); labels.CopyTo(values, 0); Array.Sort(keys, values); }),
        };
        Console.WriteLine();
        Console.WriteLine($"| ranking one class of {sampleCount:N0} samples (uniform scores) | median (ms) | min (ms) | R | vs radix |");
        Console.WriteLine("|---|---|---|---|---|");
        double radix = 0;
        foreach (var (name, sort) in candidates)
        {
            sort();
            var times = new double[runs];
            for (int i = 0; i < runs; i++)
            {
                long start = Stopwatch.GetTimestamp();
                sort();
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }

            Array.Sort(times);
            double median = times[runs / 2];
            radix = radix == 0 ? median : radix;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {median:F2} | {times[0]:F2} | {runs} | {median / radix:F1}× |"));
        }
    }

    private static void Measure(string size, string step, int runs, Func<object> compute)
    {
        compute();
        var times = new double[runs];
        long allocated = 0;
        for (int i = 0; i < runs; i++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            long start = Stopwatch.GetTimestamp();
            GC.KeepAlive(compute());
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        }

        Row(size, step, times, allocated);
    }

    private static void Row(string size, string step, double[] times, long allocated)
    {
        Array.Sort(times);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {size} | {step} | {times[times.Length / 2]:F1} | {times[0]:F1} | {times.Length} | " +
            $"{allocated / 1048576.0:F1} | {PeakResidentGiB():F2} |"));
    }

    /// <summary>Runs every metric once on a small epoch so that JIT time is not charged to the first size.</summary>
    private static void WarmUp()
    {
        var accumulator = new MultiLabelScoreAccumulator(40);
        Fill(accumulator, 2_000, 40, 0);
        for (int i = 0; i < 3; i++)
        {
            accumulator.ComputeMeanAveragePrecision();
            accumulator.ComputeAtThreshold(0.5f);
            accumulator.ComputeTopK(3);
        }
    }

    /// <summary>
    /// Adds a long-tailed sparse epoch in batches, as a validation loop would, and returns the time spent in Add.
    /// Open Images-like sizes give the rarest classes a handful of positives; COCO-like sizes about 2.3 labels per
    /// image.
    /// </summary>
    private static (double AddSeconds, long Positives) Fill(MultiLabelScoreAccumulator accumulator, int rows, int classes, int seed)
    {
        // Head prevalence and tail exponent: COCO's person class is on half the images, Open Images' tail is long.
        (double head, double exponent) = classes > 1_000 ? (0.2, 0.9) : (0.5, 1.0);
        var random = new Random(seed);
        var positiveClassesOfRow = new List<int>[rows];
        long positives = 0;
        for (int c = 0; c < classes; c++)
        {
            double expected = rows * head / Math.Pow(1 + c, exponent);
            int count = (int)expected + (random.NextDouble() < expected % 1 ? 1 : 0);
            for (int j = 0; j < count; j++)
            {
                int row = random.Next(rows);
                var list = positiveClassesOfRow[row] ??= [];
                if (!list.Contains(c))
                {
                    list.Add(c);
                    positives++;
                }
            }
        }

        var scores = new float[BatchRows * classes];
        var targets = new byte[BatchRows * classes];
        var generator = new SplitMix64((ulong)seed);
        long addTicks = 0;
        for (int first = 0; first < rows; first += BatchRows)
        {
            int count = Math.Min(BatchRows, rows - first);
            var batchScores = scores.AsSpan(0, count * classes);
            var batchTargets = targets.AsSpan(0, count * classes);
            batchTargets.Clear();
            for (int i = 0; i < batchScores.Length; i++)
            {
                // Negatives mostly low (u⁴, mean 0.2), as a trained model's sigmoid outputs are.
                float u = generator.NextUnitFloat();
                batchScores[i] = u * u * u * u;
            }

            for (int r = 0; r < count; r++)
            {
                foreach (int c in positiveClassesOfRow[first + r] ?? [])
                {
                    float u = generator.NextUnitFloat();
                    batchScores[r * classes + c] = 1 - u * u;
                    batchTargets[r * classes + c] = 1;
                }
            }

            long start = Stopwatch.GetTimestamp();
            accumulator.Add(batchScores, batchTargets);
            addTicks += Stopwatch.GetTimestamp() - start;
        }

        return ((double)addTicks / Stopwatch.Frequency, positives);
    }

    private static bool TryParseSizes(string text, out List<(string Name, int Rows, int Classes)> sizes)
    {
        sizes = [];
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] dims = part.Split('x');
            if (part.Equals("coco", StringComparison.OrdinalIgnoreCase))
            {
                sizes.Add(("COCO val", 40_000, 80));
            }
            else if (part.Equals("openimages", StringComparison.OrdinalIgnoreCase))
            {
                sizes.Add(("Open Images", 100_000, 9_605));
            }
            else if (dims.Length == 2 && int.TryParse(dims[0], out int rows) && int.TryParse(dims[1], out int classes) && rows > 0 && classes > 0)
            {
                sizes.Add(("custom", rows, classes));
            }
            else
            {
                return false;
            }
        }

        return sizes.Count > 0;
    }

    /// <summary>Clears the kernel's peak-RSS mark (VmHWM) so that each size reports its own peak; Linux only.</summary>
    private static void ResetPeakResident()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Without the reset the column shows the process-wide peak, which is still an upper bound.
        }
    }

    private static double PeakResidentGiB()
    {
        const string path = "/proc/self/status";
        string? line = File.Exists(path) ? File.ReadLines(path).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)) : null;
        return line is null ? double.NaN : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1048576.0;
    }

    /// <summary>SplitMix64: a billion scores in about a second, reproducible from the seed.</summary>
    private struct SplitMix64(ulong seed)
    {
        private ulong _state = seed;

        public float NextUnitFloat()
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            // The top 24 bits make every float in [0, 1) on a 2^-24 grid equally likely.
            return (z >> 40) * (1f / (1 << 24));
        }
    }
}
