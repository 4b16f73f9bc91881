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
            Meter.CreateObservableGauge(TelemetryNames.DeviceUtilization.Name, () => Read(nvml, r => r.Utilization), TelemetryNames.DeviceUtilization.Unit, TelemetryNames.DeviceUtilization.Description);
            Meter.CreateObservableGauge(TelemetryNames.DeviceMemoryUsed.Name, () => Read(nvml, r => (double)r.MemoryUsed), TelemetryNames.DeviceMemoryUsed.Unit, TelemetryNames.DeviceMemoryUsed.Description);
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
