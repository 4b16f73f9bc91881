namespace Asl.Distributed.Worker.Tests.Agent;

/// <summary>
/// Tests that run agents (and so trainers) inside the test process run alone: torch's random generator and thread
/// count belong to the process, and a model built by another test at the same moment would draw from the generator
/// between a run's seeding and its initialisation.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class InProcessAgents
{
    public const string Name = "in-process agents";
}
