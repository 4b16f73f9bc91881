using System.Diagnostics;
using Asl.Distributed.Otlp.Testing;
using Asl.Distributed.Telemetry;

namespace Asl.Distributed.Worker.Tests.Telemetry;

/// <summary>
/// The worker process's OpenTelemetry as a user switches it on: the OTEL_* variables, checked at start, and a real
/// training run's metrics and logs on the console exporter, with the project's names, units and attributes.
/// </summary>
public sealed class WorkerTelemetryTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);
    private readonly string _folder = Directory.CreateTempSubdirectory("asl-worker-otel-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Train_BadOtlpProtocol_ExitsTwoNamingTheVariableBeforeAnyWork()
    {
        string config = Config();
        using var worker = new WorkerProcess(new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/json" }, "train", config);

        int exit = worker.WaitForExit(Limit);

        Assert.True(exit == 2, $"exit {exit}\n{worker.Output}\n{worker.Error}");
        Assert.Contains("OTEL_EXPORTER_OTLP_PROTOCOL is 'http/json'; allowed: grpc, http/protobuf", worker.Error);
        Assert.False(Directory.Exists(Path.Combine(_folder, "run")));
    }

    [Fact]
    public void Train_ConsoleExporters_PrintTheRunsMetricsAndLogsWithTheWorkersResource()
    {
        string config = Config();
        var environment = new Dictionary<string, string>
        {
            ["OTEL_METRICS_EXPORTER"] = "console",
            ["OTEL_LOGS_EXPORTER"] = "console",
            ["OTEL_RESOURCE_ATTRIBUTES"] = "deployment.environment=test",
        };
        using var worker = new WorkerProcess(environment, "train", config);

        int exit = worker.WaitForExit(Limit);

        string output = worker.Output;
        Assert.True(exit == 0, $"exit {exit}\n{output}\n{worker.Error}");
        // The metrics are exported when the process ends (the last export of the periodic reader).
        foreach (string metric in new[]
        {
            "Metric Name: asl.train.step.duration, Description: Duration of one training step, Unit: s, Metric Type: Histogram",
            "Metric Name: asl.data.wait, Description: Time a step waited for its batch, Unit: s, Metric Type: Histogram",
            "Metric Name: asl.train.samples_per_second, Description: Training images per second, Unit: {sample}/s, Metric Type: DoubleGauge",
            "Metric Name: asl.eval.map, Description: Validation mAP of the regular model, Unit: %, Metric Type: DoubleGauge",
            "Metric Name: asl.loss.gamma_neg, Description: The asymmetric loss's negative focusing parameter, Unit: 1, Metric Type: DoubleGauge",
            "Metric Name: dotnet.gc.collections",
        })
            Assert.Contains(metric, output);
        Assert.Contains("asl.rank: 0", output);
        Assert.Contains("service.name: asl-worker", output);
        Assert.Contains("deployment.environment: test", output);
        // A log line of the run, through the same pipeline.
        Assert.Contains("LogRecord.FormattedMessage:        data: 16 training and 8 validation images, 3 classes", output);
    }

    /// <summary>
    /// A collector that takes the exports and never answers (as a stalled one does): the run trains and exits 0, and its
    /// end waits for the last exports no longer than the pipeline's shutdown limit (3 s; the bound here adds room for
    /// a loaded machine, and the measured time is printed).
    /// </summary>
    [Fact]
    public async Task Train_CollectorThatNeverAnswers_RunEndsWithinTheShutdownLimit()
    {
        await using var collector = await OtlpReceiver.StartAsync();
        collector.Mode = OtlpReceiverMode.Hold;
        using var worker = new WorkerProcess(new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint.ToString(),
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100", // spans leave at once, so a held export is in flight at the end
            // Without the pipeline's limit a held export would keep the end waiting this long (the SDK's own timeout).
            ["OTEL_EXPORTER_OTLP_TIMEOUT"] = "60000",
        }, "train", Config());

        worker.WaitForLine(l => l.StartsWith("done: ", StringComparison.Ordinal), Limit);
        var ending = Stopwatch.StartNew();
        int exit = worker.WaitForExit(Limit);
        ending.Stop();

        Assert.True(exit == 0, $"exit {exit}\n{worker.Output}\n{worker.Error}");
        Assert.True(collector.ExportAttemptCount(OtlpSignal.Metrics) + collector.ExportAttemptCount(OtlpSignal.Traces) > 0, "no export reached the collector");
        Console.WriteLine($"from 'done:' to exit with a collector that never answers: {ending.Elapsed.TotalSeconds:0.00} s");
        // The limit, 1 s the pipeline allows its tasks to start, and room for the rest of the process's end on a loaded
        // machine: far below the 60 s the held export would otherwise cost.
        Assert.True(ending.Elapsed < TelemetryPipeline.ShutdownTimeout + TimeSpan.FromSeconds(12),
            $"the end took {ending.Elapsed.TotalSeconds:0.0} s with a stalled collector; the limit is {TelemetryPipeline.ShutdownTimeout.TotalSeconds} s");
    }

    /// <summary>A collector that is not there: the run trains and exits 0, and the failed export is logged once.</summary>
    [Fact]
    public void Train_NoCollectorAtTheEndpoint_RunSucceedsAndTheFailureIsLoggedOnce()
    {
        int port = Training.Collectives.LoopbackPorts.Free(1)[0];
        using var worker = new WorkerProcess(new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{port}",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        }, "train", Config());

        int exit = worker.WaitForExit(Limit);

        string all = worker.Output + worker.Error;
        Assert.True(exit == 0, $"exit {exit}\n{all}");
        Assert.Contains("done: 1 epochs", worker.Output);
        Assert.Single(all.Split('\n'), l => l.Contains("telemetry: an export failed", StringComparison.Ordinal));
    }

    private string Config()
    {
        string path = Path.Combine(_folder, "train.yaml");
        File.WriteAllText(path, $$$"""
            seed: 1
            data: {kind: synthetic-shapes, root: {{{Path.Combine(_folder, "shapes")}}}, synthetic: {classes: 3, train_images: 16, val_images: 8, image_size: 32}}
            model: {name: small_cnn}
            image: {size: 32}
            schedule: {epochs: 1, stop_epoch: 0}
            run: {batch_size: 8, device: cpu}
            output: {dir: {{{Path.Combine(_folder, "run")}}}}
            """);
        return path;
    }
}
