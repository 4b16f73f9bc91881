using System.Diagnostics;
using System.Globalization;
using Asl.Distributed.Training.Collectives;
using Asl.Distributed.Training.DataParallel;
using Asl.Distributed.Training.Losses;
using Asl.Distributed.Training.Models;
using TorchSharp;
using static TorchSharp.torch;
using static Asl.Distributed.Benchmarks.BenchmarkOptions;

namespace Asl.Distributed.Benchmarks;

/// <summary>
/// Data-parallel training steps per second: each rank is a process with one torch thread, runs forward, backward,
/// the bucketed gradient all-reduce (overlapped with backward unless --overlap false) and Adam on its share of a fixed
/// global batch, and reports the time in all-reduces, the time the step still waits for them after backward, and
/// that wait on the rank that left backward last (the communication no overlap hid, without waiting for a slower
/// rank). Usage: dp-steps [--ranks 1,2] [--model resnet18] [--batch 16] [--size 224] [--steps 10] [--streams 4]
/// [--format float32] [--overlap true|false] [--bucket-mb 25] [--transport socket|grpc]
/// </summary>
internal static class DataParallelStepBenchmark
{
    public static int Run(string[] args)
    {
        var ranks = Option(args, "--ranks", "1,2").Split(',').Select(int.Parse).ToArray();
        string model = Option(args, "--model", "resnet18");
        string batch = Option(args, "--batch", "16");
        string size = Option(args, "--size", "224");
        string steps = Option(args, "--steps", "10");
        string streams = Option(args, "--streams", "4");
        string format = Option(args, "--format", "float32");
        string overlap = Option(args, "--overlap", "true");
        string bucket = Option(args, "--bucket-mb", "25");
        string transport = Option(args, "--transport", "socket");
        Console.WriteLine($"{model}, global batch {batch}, {size}², one torch thread per rank, {transport} transport, {streams} stream(s), {format} gradients, " +
            $"overlap with backward {overlap}, {bucket} MiB buckets; {steps} timed steps after 2 warm-up");
        Console.WriteLine();
        Console.WriteLine("| ranks | steps/s | images/s | step (ms) | backward (ms) | all-reduce (ms) | waiting after backward (ms) | share of step waiting | last rank out of backward waits (ms) | its share | backward skew (ms) |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (int world in ranks)
        {
            var outputs = RankProcesses.Run("dp-steps-rank", world,
                ["--model", model, "--batch", batch, "--size", size, "--steps", steps, "--streams", streams, "--format", format, "--overlap", overlap, "--bucket-mb", bucket, "--transport", transport, "--world", $"{world}"],
                TimeSpan.FromMinutes(20));
            var fields = outputs[0].Split('\n').Single(l => l.StartsWith("result ", StringComparison.Ordinal)).Trim().Split(' ');
            double step = double.Parse(fields[1], CultureInfo.InvariantCulture);
            double backward = double.Parse(fields[2], CultureInfo.InvariantCulture);
            double reduce = double.Parse(fields[3], CultureInfo.InvariantCulture);
            double wait = double.Parse(fields[4], CultureInfo.InvariantCulture);
            var (tailWait, skew) = LastRankOutOfBackward(outputs);
            Console.WriteLine($"| {world} | {1 / step:F2} | {int.Parse(batch, CultureInfo.InvariantCulture) / step:F1} | {step * 1000:F0} | " +
                $"{backward * 1000:F0} | {reduce * 1000:F0} | {wait * 1000:F0} | {wait / step:P1} | {tailWait * 1000:F0} | {tailWait / step:P1} | {skew * 1000:F0} |");
        }
        return 0;
    }

    /// <summary>
    /// One rank; every rank prints "step i end-of-backward-timestamp wait-seconds" per timed step, and rank 0
    /// "result stepSeconds backwardSeconds allReduceSeconds waitSeconds" (means over the timed steps).
    /// </summary>
    public static int RunRank(string[] args)
    {
        int rank = int.Parse(Option(args, "--rank", "0"), CultureInfo.InvariantCulture);
        int world = int.Parse(Option(args, "--world", "1"), CultureInfo.InvariantCulture);
        var peers = Option(args, "--peers", "").Split(',');
        int batch = int.Parse(Option(args, "--batch", "16"), CultureInfo.InvariantCulture) / world;
        int size = int.Parse(Option(args, "--size", "224"), CultureInfo.InvariantCulture);
        int steps = int.Parse(Option(args, "--steps", "10"), CultureInfo.InvariantCulture);
        var options = new CollectiveOptions
        {
            Streams = int.Parse(Option(args, "--streams", "4"), CultureInfo.InvariantCulture),
            Format = Enum.Parse<WireFormat>(Option(args, "--format", "float32"), ignoreCase: true),
            Transport = Enum.Parse<RingTransport>(Option(args, "--transport", "socket"), ignoreCase: true),
        };
        torch.set_num_threads(1);
        torch.manual_seed(rank);
        const int classes = 80;
        using var group = new Disposing(PeerGroup.JoinAsync(rank, peers, Environment.GetEnvironmentVariable(RankProcesses.SecretVariable) ?? "", options)
            .GetAwaiter().GetResult());
        var model = ModelFactory.Create(Option(args, "--model", "resnet18"), classes, size);
        model.train();
        long bucketBytes = (long)(double.Parse(Option(args, "--bucket-mb", "25"), CultureInfo.InvariantCulture) * (1 << 20));
        using var buckets = world > 1 ? new GradientBuckets(model.parameters(), bucketBytes) : null;
        using var overlap = buckets is not null && Option(args, "--overlap", "true") == "true"
            ? new BackwardOverlap(model, buckets, group.Group, average: false) : null;
        var optimizer = optim.Adam(model.parameters(), 1e-4);
        using var loss = new AsymmetricLoss();
        var images = torch.rand(batch, 3, size, size);
        var targets = torch.rand(batch, classes).lt(0.05).to(ScalarType.Float32);
        double stepSeconds = 0, backwardSeconds = 0, waitSeconds = 0;
        TimeSpan reduceBefore = TimeSpan.Zero;
        for (int i = 0; i < steps + 2; i++)
        {
            if (i == 2)
            {
                stepSeconds = backwardSeconds = waitSeconds = 0;
                reduceBefore = group.Group.AllReduceTime;
            }
            using var scope = NewDisposeScope();
            var clock = Stopwatch.StartNew();
            optimizer.zero_grad();
            overlap?.BeginStep(CancellationToken.None);
            var value = loss.forward(model.forward(images), targets);
            var backward = Stopwatch.StartNew();
            value.backward();
            long backwardEnd = Stopwatch.GetTimestamp();
            backwardSeconds += backward.Elapsed.TotalSeconds;
            var waiting = Stopwatch.StartNew();
            (overlap?.FinishAsync() ?? buckets?.AllReduceAsync(group.Group, average: false, CancellationToken.None) ?? Task.CompletedTask).GetAwaiter().GetResult();
            waitSeconds += waiting.Elapsed.TotalSeconds;
            if (i >= 2)
                Console.WriteLine(FormattableString.Invariant($"step {i} {backwardEnd} {waiting.Elapsed.TotalSeconds}"));
            optimizer.step();
            stepSeconds += clock.Elapsed.TotalSeconds;
        }
        double reduceSeconds = (group.Group.AllReduceTime - reduceBefore).TotalSeconds;
        if (rank == 0)
            Console.WriteLine(FormattableString.Invariant($"result {stepSeconds / steps} {backwardSeconds / steps} {reduceSeconds / steps} {waitSeconds / steps}"));
        group.Group.BarrierAsync().GetAwaiter().GetResult();
        return 0;
    }

    /// <summary>
    /// From every rank's "step i end-of-backward-timestamp wait-seconds" lines (one machine, one monotonic clock): the
    /// mean wait after backward of the rank that finished backward last in each step, which is the communication no
    /// overlap hid, and the mean spread of the ranks' ends of backward, which any rank ahead of it waits out too.
    /// </summary>
    private static (double TailWait, double Skew) LastRankOutOfBackward(string[] outputs)
    {
        var steps = outputs
            .SelectMany(output => output.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("step ", StringComparison.Ordinal)))
            .Select(l => l.Split(' '))
            .Select(f => (Step: int.Parse(f[1], CultureInfo.InvariantCulture), End: long.Parse(f[2], CultureInfo.InvariantCulture), Wait: double.Parse(f[3], CultureInfo.InvariantCulture)))
            .GroupBy(s => s.Step)
            .ToList();
        double tail = steps.Average(g => g.MaxBy(s => s.End).Wait);
        double skew = steps.Average(g => (g.Max(s => s.End) - g.Min(s => s.End)) / (double)Stopwatch.Frequency);
        return (tail, skew);
    }

    private sealed class Disposing(ProcessGroup group) : IDisposable
    {
        public ProcessGroup Group { get; } = group;

        public void Dispose() => Group.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
