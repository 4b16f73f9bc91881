using System.Diagnostics.Metrics;
using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Worker.Agent;
using Asl.Distributed.Worker.Tests.Agent.TestHub;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using static Asl.Distributed.Benchmarks.BenchmarkOptions;

namespace Asl.Distributed.Benchmarks;

/// <summary>
/// How soon a worker agent starts its next trial after the last one ended (issue 16 §8: under 100 ms median): a
/// worker agent in this process, trained in-process (what <c>asl-worker join</c> runs), against either the stand-in
/// coordinator over loopback gRPC, which sends the next trial's assignment the moment a completion arrives
/// (--coordinator stand-in, the default), or a real <c>asl serve</c> process (the Release build) running a sweep of
/// the trials, all queued for this one worker (--coordinator real). Measured by the agent's own instruments: from the
/// completion being sent to the next run's RunStarted, and of that, from the assignment's arrival to RunStarted (the
/// trainer's set-up); the difference is the coordinator's part and the order's way back. Each trial trains one epoch
/// on a small synthetic set.
/// Usage: trial-turnaround [--coordinator stand-in|real] [--trials 20] [--warmup 2] [--model small_cnn] [--size 96]
///   [--classes 12] [--train-images 64] [--threads 2]
/// </summary>
internal static class TrialTurnaroundBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        string coordinator = Option(args, "--coordinator", "stand-in");
        int trials = Option(args, "--trials", 20);
        int warmup = Option(args, "--warmup", 2);
        string model = Option(args, "--model", "small_cnn");
        int size = Option(args, "--size", 96);
        int classes = Option(args, "--classes", 12);
        int trainImages = Option(args, "--train-images", 64);
        int threads = Option(args, "--threads", 2);
        if (coordinator is not ("stand-in" or "real"))
        {
            Console.Error.WriteLine($"trial-turnaround: --coordinator '{coordinator}'; allowed: stand-in, real");
            return 2;
        }
        string folder = Path.Combine(Path.GetTempPath(), $"asl-turnaround-{Guid.NewGuid():N}");
        try
        {
            // The settings every trial shares, as the config section of a training config (and of a sweep spec).
            string settings = $$"""
                seed: 1
                data:
                  kind: synthetic-shapes
                  root: {{Path.Combine(folder, "shapes")}}
                  synthetic: {classes: {{classes}}, train_images: {{trainImages}}, val_images: 32, image_size: {{size}}}
                model: {name: {{model}}}
                image: {size: {{size}}}
                schedule: {epochs: 1, stop_epoch: 0}
                run: {batch_size: 16, threads: {{threads}}}
                """;
            int total = warmup + trials;
            var sinceEnd = new List<double>();
            var setup = new List<double>();
            var scheduling = new List<double>();
            double lastSetup = double.NaN;
            using var listener = new MeterListener();
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == AgentMetrics.MeterName)
                    l.EnableMeasurementEvents(instrument);
            };
            // One worker: each run's set-up is recorded just before its time since the previous end.
            listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
            {
                lock (sinceEnd)
                {
                    if (instrument.Name == AgentMetrics.StartAfterPreviousEndName)
                    {
                        sinceEnd.Add(value);
                        scheduling.Add(value - lastSetup);
                    }
                    else
                    {
                        setup.Add(value);
                        lastSetup = value;
                    }
                }
            });
            listener.Start();

            if (coordinator == "real")
                await AgainstServedCoordinator(folder, settings, total);
            else
                await AgainstStandIn(folder, settings, total);

            // The first starts pay for the JIT and the data set's generation; they are the warm-up.
            var measured = sinceEnd.Skip(Math.Max(0, warmup - 1)).ToList();
            var measuredScheduling = scheduling.Skip(Math.Max(0, warmup - 1)).ToList();
            var measuredSetup = setup.Skip(warmup).ToList();
            Console.WriteLine($"{trials} trials after {warmup} warm-up, one epoch each: {model} at {size}², {classes} classes, {trainImages} + 32 synthetic images, {threads} torch threads; coordinator: {(coordinator == "real" ? "asl serve (Release)" : "stand-in hub")}; load average {ProcessCpu.LoadAverage():0.00}");
            Console.WriteLine();
            Console.WriteLine("| interval | median (ms) | p90 (ms) | min (ms) | max (ms) |");
            Console.WriteLine("|---|---|---|---|---|");
            Console.WriteLine(Row("completion sent → next RunStarted", measured));
            Console.WriteLine(Row("of which completion sent → assignment arrived (coordinator and the way back)", measuredScheduling));
            Console.WriteLine(Row("of which assignment arrived → RunStarted (trainer set-up)", measuredSetup));
            return 0;
        }
        finally
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The stand-in hub sends trial n + 1 the moment trial n's end arrives.</summary>
    private static async Task AgainstStandIn(string folder, string settings, int total)
    {
        string config = TrainingConfigLoader.ToYaml(TrainingConfigLoader.Parse(settings + "\noutput: {dir: placeholder}\n"));
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
    }

    /// <summary>
    /// A real coordinator process runs a sweep of <paramref name="total"/> trials; the one worker agent gets them one
    /// after another from the registry's queue (each completion frees it, and the next queued trial is allocated).
    /// </summary>
    private static async Task AgainstServedCoordinator(string folder, string settings, int total)
    {
        Directory.CreateDirectory(folder);
        using var coordinator = await CoordinatorProcess.StartAsync(folder, heartbeatIntervalSeconds: 1, heartbeatTimeoutSeconds: 20);
        using var channel = coordinator.Channel(coordinator.ClientToken);
        var client = new SweepService.SweepServiceClient(channel);
        using var loggers = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Warning));
        using var agent = new WorkerAgent(new JoinOptions
        {
            Coordinators = [new Uri(coordinator.Url)],
            WorkerId = "bench-worker",
            Token = coordinator.WorkerToken,
            AdvertiseHost = "127.0.0.1",
        }, TextWriter.Null, loggers, TimeProvider.System);
        using var stop = new CancellationTokenSource();
        var running = agent.RunAsync(stop.Token);
        string config = string.Join('\n', settings.Split('\n').Select(line => line.Length > 0 ? "  " + line : line));
        await client.SubmitSweepAsync(new SubmitSweepRequest
        {
            SpecYaml = $$"""
                name: turnaround
                config:
                {{config}}
                search_space:
                  loss.gamma_neg: {uniform: [1, 6]}
                algorithm: {kind: random, num_trials: {{total}}}
                """,
        });
        using var watch = client.WatchSweep(new WatchSweepRequest { SweepId = "turnaround" });
        await foreach (var e in watch.ResponseStream.ReadAllAsync())
        {
            if (e.KindCase == SweepEvent.KindOneofCase.SweepEnded)
            {
                if (e.SweepEnded.State != SweepState.Finished)
                    throw new InvalidOperationException($"the sweep ended {e.SweepEnded.State}");
                break;
            }
            if (e.StateChanged is { State: TrialState.Failed } failed)
                throw new InvalidOperationException($"trial {e.TrialId} failed: {failed.Reason}");
        }
        await stop.CancelAsync();
        await running;
    }

    private static string Row(string name, List<double> values)
    {
        var sorted = values.Order().ToList();
        double At(double q) => sorted[(int)Math.Min(sorted.Count - 1, Math.Round(q * (sorted.Count - 1)))];
        return $"| {name} | {At(0.5):F1} | {At(0.9):F1} | {sorted[0]:F1} | {sorted[^1]:F1} |";
    }
}
