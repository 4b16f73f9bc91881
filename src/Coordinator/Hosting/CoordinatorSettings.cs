using Asl.Distributed.Telemetry;
namespace Asl.Distributed.Coordinator.Hosting;

/// <summary>
/// What <c>asl serve</c> runs with: its folder (store file, tokens, trial outputs), where it listens, and the
/// heartbeat contract. Checked by <see cref="CoordinatorSettingsCheck"/> before anything starts.
/// </summary>
public sealed record CoordinatorSettings
{
    /// <summary>Holds coordinator.db, the generated tokens and trials/.</summary>
    public required string Directory { get; init; }

    /// <summary>Address the gRPC API listens on.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Port of the gRPC API (0: any free port, reported at start).</summary>
    public int Port { get; init; } = 50051;

    /// <summary>Port of the Orleans silo (cluster traffic; loopback only in the embedded mode).</summary>
    public int SiloPort { get; init; } = 11111;

    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>PEM certificate and key of the API; both or neither (then plain HTTP/2).</summary>
    public string? TlsCert { get; init; }

    public string? TlsKey { get; init; }

    /// <summary>Worker token file (else ASL_WORKER_TOKEN, else generated into the folder).</summary>
    public string? WorkerTokenFile { get; init; }

    /// <summary>Client token file (else ASL_CLIENT_TOKEN, else generated into the folder).</summary>
    public string? ClientTokenFile { get; init; }

    /// <summary>What OpenTelemetry exports (from the OTEL_* environment at start; nothing by default).</summary>
    public OtelEnvironment Telemetry { get; init; } = OtelEnvironment.Off;

    public string StorePath => Path.Combine(Directory, "coordinator.db");

    public string TrialsDirectory => Path.Combine(Directory, "trials");
}
