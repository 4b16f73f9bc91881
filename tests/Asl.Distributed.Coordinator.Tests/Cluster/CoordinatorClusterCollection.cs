namespace Asl.Distributed.Coordinator.Tests.Cluster;

/// <summary>
/// The test classes that share one <see cref="CoordinatorClusterFixture"/>: mark a class with
/// <c>[Collection(CoordinatorClusterCollection.Name)]</c> and take the fixture in its constructor. Classes of
/// one collection run one after another, so a restart in one never cuts into another.
/// </summary>
[CollectionDefinition(Name)]
public sealed class CoordinatorClusterCollection : ICollectionFixture<CoordinatorClusterFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Coordinator cluster";
}
