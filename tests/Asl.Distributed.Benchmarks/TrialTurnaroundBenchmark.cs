using System.Diagnostics.Metrics;
using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Worker.Agent;
using Asl.Distributed.Worker.Tests.Agent.TestHub;
using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Benchmarks;

/// <summary>
/// How soon a worker agent starts its next trial after the last one ended (issue 16 §8: under 100 ms median): a
/// worker agent in this process against the stand-in coordinator over loopback gRPC, which sends the next trial's
/// assignment the moment a completion arrives. Measured by the agent's own instruments: from the completion being
/// sent to the next run's RunStarted, and of that, from the assignment's arrival to RunStarted (the trainer's set-up).
/// Each trial trains one epoch on a small synthetic set.
/// Usage: trial-turnaround [--trials 20] [--warmup 2] [--model small_cnn] [--size 96] [--classes 12] [--train-images 64] [--threads 2]
/// </summary>
internal static class TrialTurnaroundBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        int trials = Option(args, "--trials", 20);
        int warmup = Option(args, "--warmup", 2);
        string model = Option(args, "--model", "small_cnn");
        int size = Option(args, "--size", 96);
        int classes = Option(args, "--classes", 12);
        int trainImages = Option(args, "--train-images", 64);
        int threads = Option(args, "--threads", 2);
        string folder = Path.Combine(Path.GetTempPath(), $"asl-turnaround-{Guid.NewGuid():N}");
        try
        {
            string config = TrainingConfigLoader.ToYaml(TrainingConfigLoader.Parse($$"""
                seed: 1
                data:
                  kind: synthetic-shapes
                  root: {{Path.Combine(folder, "shapes")}}
                  synthetic: {classes: {{classes}}, train_images: {{trainImages}}, val_images: 32, image_size: {{size}}}
                model: {name: {{model}}}
                image: {size: {{size}}}
                schedule: {epochs: 1, stop_epoch: 0}
                run: {batch_size: 16, threads: {{threads}}}
                output: {dir: placeholder}
                """));
            int total = warmup + trials;
            TrialAssignment Trial(int n) => new()
            {
                SweepId = "bench",
                TrialId = $"t{n}",
                Attempt = 1,
                ConfigYaml = config,
                WorldSize = 1,
                OutputDir = Path.Combine(folder, "trials", $"t{n}"),
            };

            var hub = new StandInHub { HeartbeatInterval = TimeSpan.FromSeconds(1) };
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            int ended = 0;
            hub.TrialEnded = _ =>
            {
                int n = Interlocked.Increment(ref ended);
                if (n < total)
                    hub.Start("bench-worker", Trial(n));
                else
                    done.TrySetResult();
            };
            var sinceEnd = new List<double>();
            var setup = new List<double>();
            using var listener = new MeterListener();
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == AgentMetrics.MeterName)
                    l.EnableMeasurementEvents(instrument);
            };
            listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
            {
                lock (sinceEnd)
                    (instrument.Name == AgentMetrics.StartAfterPreviousEndName ? sinceEnd : setup).Add(value);
            });
            listener.Start();

            await using var server = await StandInHubServer.StartAsync(hub);
            using var loggers = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Warning));
            using var agent = new WorkerAgent(new JoinOptions
            {
                Coordinators = [server.Address],
                WorkerId = "bench-worker",
                Token = hub.Token,
                AdvertiseHost = "127.0.0.1",
            }, TextWriter.Null, loggers, TimeProvider.System);
            using var stop = new CancellationTokenSource();
            var running = agent.RunAsync(stop.Token);
            hub.Start("bench-worker", Trial(0));
            await done.Task;
            await stop.CancelAsync();
            await running;

            // The first starts pay for the JIT and the data set's generation; they are the warm-up.
            var measured = sinceEnd.Skip(Math.Max(0, warmup - 1)).ToList();
            var measuredSetup = setup.Skip(warmup).ToList();
            Console.WriteLine($"{trials} trials after {warmup} warm-up, one epoch each: {model} at {size}², {classes} classes, {trainImages} + 32 synthetic images, {threads} torch threads");
            Console.WriteLine();
            Console.WriteLine("| interval | median (ms) | p90 (ms) | min (ms) | max (ms) |");
            Console.WriteLine("|---|---|---|---|---|");
            Console.WriteLine(Row("completion sent → next RunStarted", measured));
            Console.WriteLine(Row("of which assignment arrived → RunStarted (trainer set-up)", measuredSetup));
            return 0;
        }
        finally
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }

    private static string Row(string name, List<double> values)
    {
        var sorted = values.Order().ToList();
        double At(double q) => sorted[(int)Math.Min(sorted.Count - 1, Math.Round(q * (sorted.Count - 1)))];
        return $"| {name} | {At(0.5):F1} | {At(0.9):F1} | {sorted[0]:F1} | {sorted[^1]:F1} |";
    }

    private static T Option<T>(string[] args, string name, T fallback) where T : IParsable<T>
    {
        int index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? T.Parse(args[index + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    }
}
