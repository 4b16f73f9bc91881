using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Training.Collectives;

namespace Asl.Distributed.Training.Runs;

/// <summary>The config's <c>distributed</c> section as collective options.</summary>
public static class DistributedSettings
{
    /// <summary>The options; with TLS configured, also loads the PEM files (a bad one throws a ConfigException naming its field).</summary>
    public static CollectiveOptions ToOptions(DistributedConfig config)
    {
        var options = Map(config);
        if (options.Tls is { } tls)
            PeerChannels.Check(tls);
        return options;
    }

    private static CollectiveOptions Map(DistributedConfig config) => new CollectiveOptions
    {
        ChunkLength = config.ChunkKib * 1024 / sizeof(float),
        Streams = config.Streams,
        PeerTimeout = TimeSpan.FromSeconds(config.TimeoutS),
        RendezvousTimeout = TimeSpan.FromSeconds(config.RendezvousTimeoutS),
        Format = config.Compression switch
        {
            GradientCompression.None => WireFormat.Float32,
            GradientCompression.BFloat16 => WireFormat.BFloat16,
            GradientCompression.Float16 => WireFormat.Float16,
            _ => throw new ArgumentOutOfRangeException(nameof(config), config.Compression, "not a compression"),
        },
        Transport = config.Transport switch
        {
            PeerTransport.Socket => RingTransport.Socket,
            PeerTransport.Grpc => RingTransport.Grpc,
            _ => throw new ArgumentOutOfRangeException(nameof(config), config.Transport, "not a transport"),
        },
        Tls = config.TlsCert is { Length: > 0 } cert ? new PeerTls(cert, config.TlsKey!, config.TlsCa!) : null,
    }.Validate();
}
