namespace Asl.Distributed.Configuration.Training;

/// <summary>
/// How the ranks of a data-parallel run talk (config section <c>distributed</c>). The ranks themselves come from the
/// command line (<c>--nproc</c>, or <c>--rank --world-size --peers</c>) or from the coordinator; these settings must
/// be the same on every rank.
/// </summary>
public sealed class DistributedConfig
{
    /// <summary>Allowed values of <see cref="Compression"/>.</summary>
    public static readonly IReadOnlyList<string> Compressions = ["none", "bfloat16", "float16"];

    /// <summary>Allowed values of <see cref="Transport"/>.</summary>
    public static readonly IReadOnlyList<string> Transports = ["socket", "grpc"];

    /// <summary>Seconds a rank waits on a silent peer (no data and no heartbeat) before failing with the peer named.</summary>
    public double TimeoutS { get; set; } = 60;

    /// <summary>Seconds the ranks wait for each other to start and connect.</summary>
    public double RendezvousTimeoutS { get; set; } = 60;

    /// <summary>Gradient bucket size in MiB (PyTorch DDP's bucket_cap_mb).</summary>
    public double BucketMb { get; set; } = 25;

    /// <summary>Start each bucket's all-reduce during backward, as soon as its gradients are final (float32 runs).</summary>
    public bool Overlap { get; set; } = true;

    /// <summary>Message size in KiB; collectives are pipelined in chunks of this size.</summary>
    public int ChunkKib { get; set; } = 1024;

    /// <summary>Concurrent streams (connections) from each rank to the next.</summary>
    public int Streams { get; set; } = 4;

    /// <summary>
    /// How chunks travel between ranks: socket (byte streams that the gRPC service grants on its own port; the
    /// fast path) or grpc (messages of gRPC streams). Ranks always join, authenticate and report failures over gRPC.
    /// </summary>
    public string Transport { get; set; } = "socket";

    /// <summary>Gradient values on the wire: none (float32), bfloat16 or float16; sums always accumulate in float32.</summary>
    public string Compression { get; set; } = "none";

    /// <summary>PEM certificate of this rank; with <see cref="TlsKey"/> and <see cref="TlsCa"/> it turns on TLS between ranks.</summary>
    public string? TlsCert { get; set; }

    /// <summary>PEM private key of <see cref="TlsCert"/>.</summary>
    public string? TlsKey { get; set; }

    /// <summary>PEM certificate of the CA that signed every rank's certificate.</summary>
    public string? TlsCa { get; set; }

    internal void Validate(string prefix)
    {
        ConfigChecks.InRange(TimeoutS, 0.1, 86_400, $"{prefix}.timeout_s");
        ConfigChecks.InRange(RendezvousTimeoutS, 0.1, 86_400, $"{prefix}.rendezvous_timeout_s");
        ConfigChecks.InRange(BucketMb, 0.001, 4096, $"{prefix}.bucket_mb");
        ConfigChecks.InRange(ChunkKib, 1, 16_384, $"{prefix}.chunk_kib");
        ConfigChecks.InRange(Streams, 1, 16, $"{prefix}.streams");
        ConfigChecks.OneOf(Compression, Compressions, $"{prefix}.compression");
        ConfigChecks.OneOf(Transport, Transports, $"{prefix}.transport");
        int tlsFiles = new[] { TlsCert, TlsKey, TlsCa }.Count(f => !string.IsNullOrWhiteSpace(f));
        if (tlsFiles is not (0 or 3))
            throw new ConfigException($"{prefix}.tls_cert", "TLS needs all three of tls_cert, tls_key and tls_ca, or none of them");
    }
}
