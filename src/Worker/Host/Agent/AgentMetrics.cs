using System.Diagnostics.Metrics;

namespace Asl.Distributed.Worker.Agent;

/// <summary>The worker agent's instruments (meter <c>Asl.Distributed.Worker</c>).</summary>
public static class AgentMetrics
{
    public const string MeterName = "Asl.Distributed.Worker";

    /// <summary>Name of <see cref="StartAfterPreviousEnd"/>.</summary>
    public const string StartAfterPreviousEndName = "asl.worker.attempt.start_after_previous_end";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>
    /// From the moment an attempt's end report (completion or failure) is sent to the next attempt's RunStarted on the
    /// same worker, in milliseconds: the coordinator's scheduling, the order's way back, and the trainer's set-up (config,
    /// data, model, optimizer). Meaningful when the coordinator has the next trial ready.
    /// </summary>
    public static readonly Histogram<double> StartAfterPreviousEnd = Meter.CreateHistogram<double>(StartAfterPreviousEndName, "ms",
        "Time from an attempt's end report being sent to the next attempt's start on the same worker.");
}
