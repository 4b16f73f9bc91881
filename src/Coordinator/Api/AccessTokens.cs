namespace Asl.Distributed.Coordinator.Api;

/// <summary>The bearer tokens the API accepts: one for worker agents, one for clients.</summary>
public sealed record AccessTokens(string WorkerToken, string ClientToken);
