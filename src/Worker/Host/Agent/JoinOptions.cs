namespace Asl.Distributed.Worker.Agent;

/// <summary>
/// How a worker agent (<c>asl-worker join</c>) joins the coordinator: the coordinators' addresses (tried in order on
/// failure), who it is, where its peers reach it, what it trains on, its token, and the timings of its calls,
/// reconnections and graceful stop. Defaults live here, in one place.
/// </summary>
public sealed record JoinOptions
{
    /// <summary>The coordinator's addresses; the agent uses the first and moves to the next when one fails.</summary>
    public required IReadOnlyList<Uri> Coordinators { get; init; }

    /// <summary>Kept across reconnections and restarts, so the coordinator knows the worker again.</summary>
    public required string WorkerId { get; init; }

    /// <summary>The worker bearer token, sent as <c>authorization: Bearer …</c> on every call.</summary>
    public required string Token { get; init; }

    /// <summary>The host name the worker's peers dial.</summary>
    public string AdvertiseHost { get; init; } = WorkerIdentity.MachineName;

    /// <summary>The port of the worker's collective service, opened for the attempts that span several workers.</summary>
    public int PeerPort { get; init; } = WorkerIdentity.DefaultPeerPort;

    /// <summary>What the worker trains every trial on (<c>--device</c>), in place of the trial's run.device; null leaves each trial's own.</summary>
    public Configuration.Training.ComputeDevice? Device { get; init; }

    /// <summary>Attempts the worker runs at once.</summary>
    public int Capacity { get; init; } = 1;

    /// <summary>The PEM CA certificate an https coordinator's certificate must chain to; null for the system's roots.</summary>
    public string? TlsCaPath { get; init; }

    /// <summary>The deadline of every unary call (register, heartbeat, reports).</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The first reconnection delay; each failure doubles it up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The fraction by which a delay is shortened at random (0 to 1), so that workers cut off together do not return together.</summary>
    public double BackoffJitter { get; init; } = 0.2;

    /// <summary>How long a stopping agent waits for a running attempt to reach its next safe point.</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a stopping agent tries to deliver what it still has to report (the RELEASED failures first of all).</summary>
    public TimeSpan ReleaseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The heartbeat interval when a registration answer gives none.</summary>
    public TimeSpan DefaultHeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>host:port of the collective service, as peers dial it.</summary>
    public string PeerEndpoint => WorkerIdentity.Endpoint(AdvertiseHost, PeerPort);
}
