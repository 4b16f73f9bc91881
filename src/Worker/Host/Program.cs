using System.Runtime.InteropServices;
using Asl.Distributed.Runs;
using Asl.Distributed.Telemetry;
using Asl.Distributed.Training.Devices;
using Asl.Distributed.Worker;
using Asl.Distributed.Worker.Launching;
using Asl.Distributed.Worker.Logging;
using Microsoft.Extensions.Logging;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
// Kubernetes stops a pod with SIGTERM, and the --nproc launcher stops its ranks with it: stop like Ctrl-C, leaving the
// last checkpoint intact. (.NET handles SIGTERM even when it was inherited as ignored, unlike SIGINT.)
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancel.Cancel();
});
try
{
    // Before the first torch call: a PyTorch install's libtorch (route (b) to CUDA), when ASL_LIBTORCH_DIR names one.
    TorchNatives.LoadFromEnvironment();
}
catch (TorchNativesException e)
{
    Console.Error.WriteLine($"asl-worker: {e.Message}");
    return RunExitCodes.InvalidConfig;
}
OtelEnvironment otel;
try
{
    otel = OtelEnvironment.Read();
}
catch (TelemetrySettingsException e)
{
    Console.Error.WriteLine($"asl-worker: {e.Message}");
    return RunExitCodes.InvalidConfig;
}
LauncherWatch? launcher;
using var loggers = LoggerFactory.Create(builder => builder.AddProvider(new TextWriterLoggerProvider(Console.Out, Console.Error, "asl-worker")));
// Metrics, traces and logs through OpenTelemetry where OTEL_* asks for them; ended (last exports sent) at exit.
using var telemetry = WorkerTelemetry.Start(args, otel, loggers.CreateLogger("asl-worker.telemetry"));
try
{
    // A launched rank stops the same way when its launcher is gone, so that no trainer outlives its owner.
    launcher = LauncherWatch.Start(cancel, loggers.CreateLogger("asl-worker.launcher"));
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"asl-worker: {e.Message}");
    return RunExitCodes.InvalidConfig;
}
using (launcher)
    return WorkerCommandLine.Run(args, Console.Out, Console.Error, cancel.Token, telemetry.LoggerProvider);
