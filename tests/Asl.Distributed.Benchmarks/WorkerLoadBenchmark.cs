using System.Diagnostics;
using System.Globalization;
using Asl.Distributed.Contracts.V1;
using Grpc.Net.Client;
using static Asl.Distributed.Benchmarks.BenchmarkOptions;

namespace Asl.Distributed.Benchmarks;

/// <summary>
/// The coordinator under many workers (issue 16 §8: 1,000 workers heartbeating every second, under 10 % of one core
/// and assignment latency under 100 ms at the median). Starts a real <c>asl serve</c> (Release build) on a temp
/// folder, then opens N simulated workers in this process over real gRPC on loopback (HTTP/2; one GrpcChannel per
/// --workers-per-channel workers, each channel its own connection(s)), each registering, holding its order stream open
/// and heartbeating once a period, the phases spread evenly. Measures the coordinator's CPU (from /proc/&lt;pid&gt;/stat)
/// alone, with the workers idle, and while trials flow; and the assignment latency while they flow: --sweeps sweeps
/// that run one trial at a time (each next trial ready at its predecessor's completion) with --trials trials in all,
/// then one sweep of --burst trials submitted at once (after a small unmeasured sweep per chain). The simulated workers train nothing: they report their epochs
/// and complete at once.
/// Heartbeats go as the agent sends them, messages on one Heartbeats stream per worker, or with --heartbeat-call unary
/// as one Heartbeat call each.
/// Usage: worker-load [--workers 1000] [--workers-per-channel 10] [--heartbeat-s 1] [--heartbeat-timeout-s 10] [--heartbeat-call stream|unary]
///   [--baseline-seconds 10] [--warmup 10] [--seconds 30] [--trials 200] [--sweeps 4] [--burst 100] [--epochs 1] [--keep]
/// </summary>
internal static class WorkerLoadBenchmark
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(10);

    public static async Task<int> RunAsync(string[] args)
    {
        int workerCount = Option(args, "--workers", 1000);
        int perChannel = Option(args, "--workers-per-channel", 10);
        double heartbeatSeconds = Option(args, "--heartbeat-s", 1.0);
        double timeoutSeconds = Option(args, "--heartbeat-timeout-s", 10.0);
        int baselineSeconds = Option(args, "--baseline-seconds", 10);
        int warmupSeconds = Option(args, "--warmup", 10);
        int seconds = Option(args, "--seconds", 30);
        int trials = Option(args, "--trials", 200);
        int sweeps = Option(args, "--sweeps", 4);
        int burst = Option(args, "--burst", 100);
        int epochs = Option(args, "--epochs", 1);
        string callName = Option(args, "--heartbeat-call", "stream");
        if (callName is not ("stream" or "unary"))
        {
            Console.Error.WriteLine($"worker-load: --heartbeat-call '{callName}' is not a way to heartbeat; allowed: stream, unary");
            return 2;
        }
        bool streamed = callName == "stream";
        if (workerCount < 1 || perChannel < 1 || sweeps < 1 || trials < sweeps || burst < 0 || epochs < 1 || burst > workerCount)
        {
            Console.Error.WriteLine("worker-load: allowed: --workers ≥ 1, --workers-per-channel ≥ 1, --sweeps ≥ 1, --trials ≥ --sweeps, 0 ≤ --burst ≤ --workers, --epochs ≥ 1");
            return 2;
        }

        string folder = Directory.CreateTempSubdirectory("asl-worker-load-").FullName;
        using var coordinator = await CoordinatorProcess.StartAsync(folder, heartbeatSeconds, timeoutSeconds);
        Progress($"asl serve pid {coordinator.Pid} at {coordinator.Url}; {Environment.ProcessorCount} cores, load average {ProcessCpu.LoadAverage():0.00}");
        var channels = new List<GrpcChannel>();
        bool failed = false;
        using var stop = new CancellationTokenSource();
        try
        {
            using var clientChannel = coordinator.Channel(coordinator.ClientToken);
            var client = new SweepService.SweepServiceClient(clientChannel);
            await client.ListWorkersAsync(new ListWorkersRequest());

            Progress($"coordinator alone for {baselineSeconds} s");
            var alone = new CpuWindow(coordinator.Pid);
            await Task.Delay(TimeSpan.FromSeconds(baselineSeconds));
            var aloneShare = alone.Read();

            var clock = new TrialFlowClock();
            var workers = new List<LoadWorker>();
            for (int i = 0; i < workerCount; i++)
            {
                if (i % perChannel == 0)
                    channels.Add(coordinator.Channel(coordinator.WorkerToken));
                workers.Add(new LoadWorker(new WorkerHub.WorkerHubClient(channels[^1]), $"load-{i:D5}", epochs, clock, streamed));
            }
            var pacer = new HeartbeatPacer(workers, TimeSpan.FromSeconds(heartbeatSeconds));
            var heartbeats = pacer.RunAsync(stop.Token);
            var registering = Stopwatch.StartNew();
            int registered = 0;
            await Parallel.ForEachAsync(workers, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (worker, token) =>
            {
                await worker.Register(token);
                worker.OpenOrders(stop.Token);
                int n = Interlocked.Increment(ref registered);
                if (n % 250 == 0 || n == workerCount)
                    Progress($"{n} workers registered ({registering.Elapsed.TotalSeconds:0.0} s)");
            });
            double registrationSeconds = registering.Elapsed.TotalSeconds;

            Progress($"warm-up {warmupSeconds} s");
            await Task.Delay(TimeSpan.FromSeconds(warmupSeconds));
            pacer.TakeTally();
            Progress($"{workerCount} idle workers heartbeating, measured for {seconds} s");
            var idle = new CpuWindow(coordinator.Pid);
            for (int left = seconds; left > 0; left -= 10)
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(10, left)));
                var sofar = idle.Read();
                Progress($"  {sofar.Seconds:0} s: coordinator {sofar.CoordinatorPercentOfCore:0.0} % of a core, generator {sofar.GeneratorPercentOfCore:0.0} %, machine {sofar.MachineBusyPercent:0} % busy");
            }
            var idleShare = idle.Read();
            var idleBeats = pacer.TakeTally();

            // The first sweeps of a process run cold code (the spec and config readers, first grain activations):
            // one small sweep per chain first, not measured.
            Progress($"warm-up: {sweeps} sweeps of 2 trials");
            var warm = clock.Expect(sweeps * 2);
            await Task.WhenAll(Enumerable.Range(0, sweeps).Select(s => Submit(client, clock, Spec($"warm-{s}", 2, epochs, maxConcurrent: 1), $"warm-{s}")));
            await Follow(warm, clock, sweeps * 2);

            // Sweeps that run one trial at a time: each next trial is ready when its predecessor's completion is sent.
            int perSweep = trials / sweeps;
            Progress($"{sweeps} sweeps of {perSweep} trials, one at a time each");
            var chained = new CpuWindow(coordinator.Pid);
            var flowing = Stopwatch.StartNew();
            var done = clock.Expect(sweeps * perSweep);
            await Task.WhenAll(Enumerable.Range(0, sweeps).Select(s =>
                Submit(client, clock, Spec($"chain-{s}", perSweep, epochs, maxConcurrent: 1), $"chain-{s}")));
            await Follow(done, clock, sweeps * perSweep);
            double chainedSeconds = flowing.Elapsed.TotalSeconds;
            var chainedShare = chained.Read();
            var chainedBeats = pacer.TakeTally();
            var first = new List<double>();
            var next = new List<double>();
            for (int s = 0; s < sweeps; s++)
            {
                first.Add(clock.SinceSubmission($"chain-{s}", TrialId($"chain-{s}", 0)));
                for (int i = 1; i < perSweep; i++)
                    next.Add(clock.SinceCompletion(TrialId($"chain-{s}", i - 1), TrialId($"chain-{s}", i)));
            }

            var burstLatency = new List<double>();
            CpuShare? burstShare = null;
            HeartbeatTally? burstBeats = null;
            if (burst > 0)
            {
                Progress($"one sweep of {burst} trials submitted at once");
                var window = new CpuWindow(coordinator.Pid);
                done = clock.Expect(burst);
                await Submit(client, clock, Spec("burst", burst, epochs, maxConcurrent: 0), "burst");
                await Follow(done, clock, burst);
                burstShare = window.Read();
                burstBeats = pacer.TakeTally();
                for (int i = 0; i < burst; i++)
                    burstLatency.Add(clock.SinceSubmission("burst", TrialId("burst", i)));
            }

            int listed = (await client.ListWorkersAsync(new ListWorkersRequest())).Workers.Count;
            await stop.CancelAsync();
            await heartbeats;
            await Task.WhenAll(workers.Select(w => w.Reading));

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{workerCount} simulated workers ({channels.Count} GrpcChannels of {perChannel}), heartbeat every {heartbeatSeconds:0.##} s as {(streamed ? "messages on a Heartbeats stream" : "Heartbeat calls")} (timeout {timeoutSeconds:0.##} s), {Environment.ProcessorCount} cores; registration took {registrationSeconds:0.0} s; {listed} workers listed at the end"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"trials: {sweeps} sweeps × {perSweep} one at a time in {chainedSeconds:0.0} s ({sweeps * perSweep / chainedSeconds:0.0} trials/s), then {burst} at once; {epochs} epoch report(s) + completion each; repeated assignments {clock.Repeated}, refused reports {clock.Refused}"));
            Console.WriteLine();
            Console.WriteLine("| window | s | coordinator CPU (% of one core) | generator CPU (% of one core) | machine busy (% of all cores) | load avg (1 min) | heartbeats/s | heartbeat round trip median / p99 (ms) | failed / unknown / skipped |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
            Console.WriteLine(CpuRow("coordinator alone, no workers", aloneShare, null));
            Console.WriteLine(CpuRow($"{workerCount} workers idle, heartbeating", idleShare, idleBeats));
            Console.WriteLine(CpuRow($"trials flowing: {sweeps} sweeps one trial at a time", chainedShare, chainedBeats));
            if (burstShare is not null)
                Console.WriteLine(CpuRow($"trials flowing: {burst} submitted at once", burstShare, burstBeats));
            Console.WriteLine();
            Console.WriteLine("| assignment latency, ready → arrival at the worker | count | median (ms) | p90 (ms) | p99 (ms) | min (ms) | max (ms) |");
            Console.WriteLine("|---|---|---|---|---|---|---|");
            Console.WriteLine(LatencyRow("next trial, from the previous one's completion sent", next));
            Console.WriteLine(LatencyRow("first trial of a sweep, from its submission", first));
            if (burst > 0)
                Console.WriteLine(LatencyRow($"{burst} trials submitted at once, from the submission", burstLatency));
            return 0;
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var channel in channels)
                channel.Dispose();
            coordinator.Dispose();
            File.WriteAllLines(Path.Combine(folder, "serve.log"), coordinator.Lines);
            if (failed)
                Console.Error.WriteLine($"worker-load: failed; the coordinator's output is in {Path.Combine(folder, "serve.log")}");
            else if (!args.Contains("--keep"))
                Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task Submit(SweepService.SweepServiceClient client, TrialFlowClock clock, string spec, string sweepId)
    {
        clock.Submitted(sweepId, Stopwatch.GetTimestamp());
        await client.SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = spec });
    }

    /// <summary>Waits for the completions, printing the count every 5 s.</summary>
    private static async Task Follow(Task done, TrialFlowClock clock, int count)
    {
        var guard = Stopwatch.StartNew();
        while (await Task.WhenAny(done, Task.Delay(TimeSpan.FromSeconds(5))) != done)
        {
            if (guard.Elapsed > HangGuard)
                throw new TimeoutException($"worker-load: the trials did not all complete within {HangGuard.TotalMinutes:0} minutes ({clock.CompletedCount} completions in all)");
            Progress($"  {clock.CompletedCount} completions in all ({count} awaited in this phase), {guard.Elapsed.TotalSeconds:0} s");
        }
    }

    /// <summary>A sweep whose trials the simulated workers answer: random gamma_neg, <paramref name="epochs"/> epochs each.</summary>
    private static string Spec(string name, int trials, int epochs, int maxConcurrent) => $$"""
        name: {{name}}
        config:
          schedule: {epochs: {{epochs}}, stop_epoch: 0}
        search_space:
          loss.gamma_neg: {uniform: [1, 6]}
        algorithm: {kind: random, num_trials: {{trials}}}
        max_concurrent_trials: {{maxConcurrent}}
        """;

    private static string TrialId(string sweepId, int index) => sweepId + "." + index.ToString("D4", CultureInfo.InvariantCulture);

    private static string CpuRow(string name, CpuShare cpu, HeartbeatTally? beats)
    {
        string heartbeats = beats is null ? "– | – | –" : string.Create(CultureInfo.InvariantCulture,
            $"{beats.Sent / cpu.Seconds:0} | {Quantiles.At(beats.RoundTripsMs, 0.5):0.00} / {Quantiles.At(beats.RoundTripsMs, 0.99):0.00} | {beats.Failed} / {beats.Unknown} / {beats.Skipped}");
        return string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {cpu.Seconds:0} | {cpu.CoordinatorPercentOfCore:0.0} | {cpu.GeneratorPercentOfCore:0.0} | {cpu.MachineBusyPercent:0} | {cpu.LoadAverage:0.00} | {heartbeats} |");
    }

    private static string LatencyRow(string name, List<double> values) => string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {values.Count} | {Quantiles.At(values, 0.5):0.0} | {Quantiles.At(values, 0.9):0.0} | {Quantiles.At(values, 0.99):0.0} | {Quantiles.At(values, 0):0.0} | {Quantiles.At(values, 1):0.0} |");

    private static void Progress(string line) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {line}");
}
