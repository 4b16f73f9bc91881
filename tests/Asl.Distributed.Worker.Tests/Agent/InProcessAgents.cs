namespace Asl.Distributed.Worker.Tests.Agent;

/// <summary>Tests that run agents (and so trainers) inside the test process take turns: torch's threads and random state are the process's.</summary>
[CollectionDefinition(Name)]
public sealed class InProcessAgents
{
    public const string Name = "in-process agents";
}
