using System.Diagnostics;
using System.Diagnostics.Metrics;
using Asl.Distributed.Telemetry;
using Asl.Distributed.Training.Devices;
using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Training.Telemetry;

/// <summary>
/// Each GPU's utilisation and memory in use, read through NVML whenever the telemetry collects:
/// <c>asl.device.utilization</c> (0 to 1) and <c>asl.device.memory.used</c> (bytes), with the NVML device index as
/// <c>asl.device</c>. Started by the first run on a CUDA device in the process; where NVML is absent there are none,
/// and one log line says so.
/// </summary>
public static partial class DeviceMetrics
{
    /// <summary>GPU utilisation over NVML's last sample period.</summary>
    public static readonly TelemetryNames.Metric Utilization = new("asl.device.utilization", "1", "GPU utilisation over the driver's last sample period");

    /// <summary>GPU memory in use (by every process on the device).</summary>
    public static readonly TelemetryNames.Metric MemoryUsed = new("asl.device.memory.used", "By", "GPU memory in use");

    private static readonly Meter Meter = new(TelemetryNames.TrainingMeter);
    private static readonly Lock Gate = new();
    private static bool? _available;

    /// <summary>Starts the gauges once per process (later calls only repeat the answer); false where NVML is absent, which is logged once.</summary>
    public static bool EnsureStarted(ILogger logger)
    {
        lock (Gate)
        {
            if (_available is { } known)
                return known;
            _available = false;
            if (Nvml.TryOpen(out string why) is not { } nvml)
            {
                NoNvml(logger, why);
                return false;
            }
            _available = true;
            Meter.CreateObservableGauge(Utilization.Name, () => Read(nvml, r => r.Utilization), Utilization.Unit, Utilization.Description);
            Meter.CreateObservableGauge(MemoryUsed.Name, () => Read(nvml, r => (double)r.MemoryUsed), MemoryUsed.Unit, MemoryUsed.Description);
            return true;
        }
    }

    private static IEnumerable<Measurement<double>> Read(Nvml nvml, Func<(double Utilization, long MemoryUsed, long MemoryTotal), double> value)
    {
        for (int index = 0; index < nvml.DeviceCount; index++)
        {
            if (nvml.Read(index) is { } reading)
                yield return new Measurement<double>(value(reading), new TagList { { TelemetryNames.Device, index } });
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "no GPU utilisation or memory metrics: {Why}")]
    private static partial void NoNvml(ILogger logger, string why);
}
