using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Training.Collectives;

namespace Asl.Distributed.Training.Runs;

/// <summary>The config's <c>distributed</c> section as collective options.</summary>
public static class DistributedSettings
{
    public static CollectiveOptions ToOptions(DistributedConfig config) => new CollectiveOptions
    {
        ChunkLength = config.ChunkKib * 1024 / sizeof(float),
        Streams = config.Streams,
        PeerTimeout = TimeSpan.FromSeconds(config.TimeoutS),
        RendezvousTimeout = TimeSpan.FromSeconds(config.RendezvousTimeoutS),
        Format = config.Compression switch
        {
            "bfloat16" => WireFormat.BFloat16,
            "float16" => WireFormat.Float16,
            _ => WireFormat.Float32,
        },
        Tls = config.TlsCert is { Length: > 0 } cert ? new PeerTls(cert, config.TlsKey!, config.TlsCa!) : null,
    }.Validate();
}
