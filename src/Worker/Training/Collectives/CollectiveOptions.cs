using Asl.Distributed.Configuration.Training;

namespace Asl.Distributed.Training.Collectives;

/// <summary>Settings of a job's collectives between processes, the same on every rank.</summary>
public sealed record CollectiveOptions
{
    /// <summary>The <c>distributed</c> config section's defaults and ranges, for the settings a config sets.</summary>
    private static readonly DistributedConfig Defaults = new();

    /// <summary>Elements per message; the default 256 Ki floats is 1 MiB, a message size gRPC handles well.</summary>
    public int ChunkLength { get; init; } = RingAllReduceOptions.DefaultChunkLength;

    /// <summary>
    /// Concurrent streams per link, each on its own connection; chunks go round-robin over them. One gRPC stream
    /// moves about a third of what a raw socket does (platform notes), so the gRPC transport needs several.
    /// </summary>
    public int Streams { get; init; } = Defaults.Streams;

    /// <summary>Chunks a stream's receiving queue holds before its sender waits (the bound on memory per link).</summary>
    public int QueueCapacity { get; init; } = 4;

    /// <summary>How long a rank waits on a silent peer (no data and no heartbeat) before it fails naming it.</summary>
    public TimeSpan PeerTimeout { get; init; } = TimeSpan.FromSeconds(Defaults.TimeoutS);

    /// <summary>How long the ranks wait for each other to start and connect.</summary>
    public TimeSpan RendezvousTimeout { get; init; } = TimeSpan.FromSeconds(Defaults.RendezvousTimeoutS);

    /// <summary>
    /// How long a new connection to the rank's port may take to say what it is: the first bytes of the HTTP/2 preface,
    /// or the whole data-stream preface and token. A rank's own sender writes them at once, so a connection still
    /// short of them after this long is not one; it is closed.
    /// </summary>
    public TimeSpan PrefaceTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How many connections that started a data-stream preface may wait for the rest of it (and their token) at once;
    /// one more is closed at once. A rank's sender writes preface and token in one piece, so it never waits here.
    /// </summary>
    public int MaxPendingDataConnections { get; init; } = 64;

    /// <summary>How chunks travel: on data streams the gRPC service grants (the default), or as gRPC messages.</summary>
    public RingTransport Transport { get; init; } = RingTransport.Socket;

    /// <summary>Wire format of gradient all-reduces (broadcast and gather are always float32).</summary>
    public WireFormat Format { get; init; } = WireFormat.Float32;

    /// <summary>TLS between ranks, or null for HTTP/2 cleartext (inside a cluster network).</summary>
    public PeerTls? Tls { get; init; }

    /// <summary>
    /// The clock of the peer timeout, the heartbeats, the rendezvous timeout and the preface timeout (tests pass a fake
    /// one). Grace periods of a shutdown and the deadlines of single gRPC calls stay on the real clock, so a clock that
    /// stands still can delay a failure but never a rank's exit.
    /// </summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>How often an idle link says it is alive: a fifth of the peer timeout, within [50 ms, 5 s].</summary>
    public TimeSpan HeartbeatInterval =>
        TimeSpan.FromTicks(Math.Clamp(PeerTimeout.Ticks / 5, TimeSpan.FromMilliseconds(50).Ticks, TimeSpan.FromSeconds(5).Ticks));

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid field and its allowed values.</summary>
    public CollectiveOptions Validate()
    {
        Check(ChunkLength is >= 1 and <= 1 << 24, nameof(ChunkLength), ChunkLength, "an integer in [1, 16777216]");
        TrainingConfig.Schema.Find("distributed.streams")!.Require(Streams, nameof(Streams));
        Check(QueueCapacity is >= 1 and <= 64, nameof(QueueCapacity), QueueCapacity, "an integer in [1, 64]");
        Check(PeerTimeout > TimeSpan.Zero, nameof(PeerTimeout), PeerTimeout, "a positive duration");
        Check(RendezvousTimeout > TimeSpan.Zero, nameof(RendezvousTimeout), RendezvousTimeout, "a positive duration");
        Check(PrefaceTimeout > TimeSpan.Zero, nameof(PrefaceTimeout), PrefaceTimeout, "a positive duration");
        Check(MaxPendingDataConnections is >= 1 and <= 65_536, nameof(MaxPendingDataConnections), MaxPendingDataConnections, "an integer in [1, 65536]");
        if (TimeProvider is null)
            throw new ArgumentException($"{nameof(TimeProvider)} is null; allowed: a clock, such as TimeProvider.System (the default)");
        Check(Enum.IsDefined(Transport), nameof(Transport), Transport, string.Join(", ", Enum.GetNames<RingTransport>()));
        Check(Enum.IsDefined(Format), nameof(Format), Format, string.Join(", ", Enum.GetNames<WireFormat>()));
        return this;
    }

    private static void Check(bool valid, string field, object value, string allowed)
    {
        if (!valid)
            throw new ArgumentException($"{field} {value} is out of range; allowed: {allowed}");
    }
}

/// <summary>PEM files for TLS between ranks: this rank's certificate and key, and the CA that signed every rank's.</summary>
public sealed record PeerTls(string CertificatePath, string KeyPath, string CaPath);
