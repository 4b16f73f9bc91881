using System.Diagnostics.Metrics;

namespace Asl.Distributed.Worker.Agent;

/// <summary>The worker agent's instruments (meter <c>Asl.Distributed.Worker</c>).</summary>
public static class AgentMetrics
{
    public const string MeterName = "Asl.Distributed.Worker";

    /// <summary>Name of <see cref="StartAfterPreviousEnd"/>.</summary>
    public const string StartAfterPreviousEndName = "asl.worker.attempt.start_after_previous_end";

    /// <summary>Name of <see cref="Setup"/>.</summary>
    public const string SetupName = "asl.worker.attempt.setup";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>
    /// From the moment an attempt's end report (completion or failure) is sent to the next attempt's RunStarted on the
    /// same worker, in milliseconds: the coordinator's scheduling, the order's way back, and the trainer's set-up (config,
    /// data, model, optimizer). Meaningful when the coordinator has the next trial ready.
    /// </summary>
    public static readonly Histogram<double> StartAfterPreviousEnd = Meter.CreateHistogram<double>(StartAfterPreviousEndName, "ms",
        "Time from an attempt's end report being sent to the next attempt's start on the same worker.");

    /// <summary>
    /// From an assignment's arrival on the order stream to its RunStarted, in milliseconds: the trainer's set-up (config,
    /// data, loaders, model, optimizer; the ring's rendezvous on several ranks).
    /// </summary>
    public static readonly Histogram<double> Setup = Meter.CreateHistogram<double>(SetupName, "ms",
        "Time from an assignment's arrival to its run's start.");
}
