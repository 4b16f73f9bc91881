using Asl.Distributed.Training.Devices;
using Asl.Distributed.Training.Telemetry;
using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Training.Tests.Devices;

/// <summary>
/// GPU metrics where NVML is absent, as on these machines (no NVIDIA driver): no library, no gauges, and one log
/// line that says why, however many runs ask.
/// </summary>
public sealed class NvmlTests
{
    [Fact]
    public void TryOpen_WithoutTheDriver_IsNullNamingTheLibrary()
    {
        Assert.Null(Nvml.TryOpen(out string why));
        Assert.Equal("libnvidia-ml.so.1 is not there (no NVIDIA driver)", why);
    }

    [Fact]
    public void EnsureStarted_WithoutTheDriver_LogsOnceAndStartsNothing()
    {
        var logger = new CountingLogger();

        bool first = DeviceMetrics.EnsureStarted(logger);
        bool second = DeviceMetrics.EnsureStarted(logger);

        Assert.False(first);
        Assert.False(second);
        Assert.Equal(["no GPU utilisation or memory metrics: libnvidia-ml.so.1 is not there (no NVIDIA driver)"], logger.Lines);
    }

    private sealed class CountingLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
