using Asl.Distributed.Training.Collectives;
using Asl.Distributed.Training.Devices;
using Asl.Distributed.Training.Events;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Asl.Distributed.Training.Loop;

/// <summary>
/// What a trainer runs with besides its config and data: the data-parallel group (one rank when null), the device
/// (resolved from run.device when null), where its notes go, its clock, the observers of its events and the control through which a stop is requested.
/// </summary>
public sealed record TrainerServices
{
    public ProcessGroup? Group { get; init; }

    /// <summary>The device to train on; null resolves <c>run.device</c> for the group's rank (see <see cref="DeviceResolver"/>).</summary>
    public TrainingDevice? Device { get; init; }

    public ILogger Logger { get; init; } = NullLogger.Instance;

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Observers of the run's events (rank 0's trainer adds the metrics.jsonl writer itself).</summary>
    public IReadOnlyList<IRunObserver> Observers { get; init; } = [];

    public RunControl Control { get; init; } = new();

    /// <summary>The sweep this run is a trial of, for the telemetry's attributes; null outside a sweep.</summary>
    public string? SweepId { get; init; }

    /// <summary>The trial this run is, for the telemetry's attributes; null outside a sweep.</summary>
    public string? TrialId { get; init; }
}
