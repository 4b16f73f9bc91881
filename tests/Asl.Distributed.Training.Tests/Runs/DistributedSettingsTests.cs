using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Training.Collectives;
using Asl.Distributed.Training.Runs;

namespace Asl.Distributed.Training.Tests.Runs;

/// <summary>The config's <c>distributed</c> section becomes the collective options every rank runs with.</summary>
public sealed class DistributedSettingsTests
{
    [Fact]
    public void ToOptions_Defaults_AreSocketStreamsOfFloat32InMebibyteChunks()
    {
        var options = DistributedSettings.ToOptions(new DistributedConfig());

        Assert.Equal((RingTransport.Socket, WireFormat.Float32, 262_144, 4, 60.0, null as PeerTls),
            (options.Transport, options.Format, options.ChunkLength, options.Streams, options.PeerTimeout.TotalSeconds, options.Tls));
    }

    [Fact]
    public void ToOptions_EverySetting_IsCarriedOver()
    {
        var options = DistributedSettings.ToOptions(new DistributedConfig
        {
            Transport = PeerTransport.Grpc,
            Compression = GradientCompression.Float16,
            ChunkKib = 256,
            Streams = 2,
            TimeoutS = 5,
            RendezvousTimeoutS = 7,
        });

        Assert.Equal((RingTransport.Grpc, WireFormat.Float16, 65_536, 2, 5.0, 7.0),
            (options.Transport, options.Format, options.ChunkLength, options.Streams, options.PeerTimeout.TotalSeconds, options.RendezvousTimeout.TotalSeconds));
    }
}
