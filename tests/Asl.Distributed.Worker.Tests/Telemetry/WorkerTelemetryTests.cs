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
