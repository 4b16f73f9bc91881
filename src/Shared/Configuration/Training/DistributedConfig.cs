using Asl.Distributed.Configuration.Schema;

namespace Asl.Distributed.Configuration.Training;

/// <summary>
/// How the ranks of a data-parallel run talk (config section <c>distributed</c>). The ranks themselves come from the
/// command line (<c>--nproc</c>, or <c>--rank --world-size --peers</c>) or from the coordinator; these settings must
/// be the same on every rank.
/// </summary>
public sealed class DistributedConfig
{
    [Setting("Seconds a rank waits on a silent peer (no data and no heartbeat) before failing with the peer named.", Min = 0.1, Max = 86_400)]
    public double TimeoutS { get; set; } = 60;

    [Setting("Seconds the ranks wait for each other to start and connect.", Min = 0.1, Max = 86_400)]
    public double RendezvousTimeoutS { get; set; } = 60;

    [Setting("Gradient bucket size in MiB (PyTorch DDP's bucket_cap_mb).", Min = 0.001, Max = 4096)]
    public double BucketMb { get; set; } = 25;

    [Setting("Start each bucket's all-reduce during backward, as soon as its gradients are final (float32 runs).")]
    public bool Overlap { get; set; } = true;

    [Setting("Message size in KiB; collectives are pipelined in chunks of this size.", Min = 1, Max = 16_384)]
    public int ChunkKib { get; set; } = 1024;

    [Setting("Concurrent streams (connections) from each rank to the next.", Min = 1, Max = 16)]
    public int Streams { get; set; } = 4;

    [Setting("How chunks travel: socket (byte streams granted by each rank's gRPC service on its port) or grpc (gRPC messages).")]
    public PeerTransport Transport { get; set; } = PeerTransport.Socket;

    [Setting("Gradient values on the wire: none (float32), bfloat16 or float16; sums always accumulate in float32.")]
    public GradientCompression Compression { get; set; } = GradientCompression.None;

    [Setting("PEM certificate of this rank; with tls_key and tls_ca it turns on TLS between ranks.")]
    public string? TlsCert { get; set; }

    [Setting("PEM private key of tls_cert.")]
    public string? TlsKey { get; set; }

    [Setting("PEM certificate of the CA that signed every rank's certificate.")]
    public string? TlsCa { get; set; }

    internal void Validate(List<ConfigProblem> problems)
    {
        int tlsFiles = new[] { TlsCert, TlsKey, TlsCa }.Count(f => !string.IsNullOrWhiteSpace(f));
        if (tlsFiles is not (0 or 3))
            problems.Add(new ConfigProblem("distributed.tls_cert", "TLS needs all three of tls_cert, tls_key and tls_ca, or none of them"));
    }
}
