using Asl.Distributed.Configuration.Schema;

namespace Asl.Distributed.Configuration.Training;

/// <summary>How gradient chunks travel between ranks (config <c>distributed.transport</c>).</summary>
public enum PeerTransport
{
    /// <summary>Byte streams that each rank's gRPC service grants on its own port.</summary>
    [ConfigName("socket")] Socket,
    /// <summary>Messages of gRPC streams.</summary>
    [ConfigName("grpc")] Grpc,
}
