namespace Asl.Distributed.Coordinator.Tests.Cluster;

/// <summary>How <see cref="CoordinatorClusterFixture.RestartAsync"/> ends the running cluster.</summary>
public enum ClusterRestart
{
    /// <summary>Stop the silo gracefully: grains deactivate, the store closes cleanly.</summary>
    Graceful,

    /// <summary>Kill the silo without stopping it (Orleans' in-process crash): no grain deactivates.</summary>
    Kill,
}
