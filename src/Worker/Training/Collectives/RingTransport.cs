namespace Asl.Distributed.Training.Collectives;

/// <summary>How a link's chunks travel to the right neighbour. Either way gRPC joins the ranks and carries failures.</summary>
public enum RingTransport
{
    /// <summary>
    /// Chunks on plain byte streams (TLS when configured) opened on the neighbour's gRPC port after a gRPC
    /// <c>OpenDataStream</c> call grants each one: one kernel copy per side, as NCCL's and Gloo's socket transports.
    /// </summary>
    Socket = 0,

    /// <summary>Chunks as messages of gRPC client streams (<c>Ring</c>): HTTP/2 framing and protobuf on every byte.</summary>
    Grpc = 1,
}
