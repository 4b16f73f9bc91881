namespace Asl.Distributed.Coordinator.Workers;

/// <summary>One worker of an allocated gang: its id and the endpoint its peers dial.</summary>
[GenerateSerializer, Alias("asl.GangMember")]
public sealed record GangMember(
    [property: Id(0)] string WorkerId,
    [property: Id(1)] string PeerEndpoint);
