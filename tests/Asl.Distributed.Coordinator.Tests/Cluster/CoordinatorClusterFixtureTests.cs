using Asl.Distributed.Coordinator.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Asl.Distributed.Coordinator.Tests.Cluster;

/// <summary>What the fixture promises the grain tests: its file in its folder, shared by storage and journal.</summary>
[Collection(CoordinatorClusterCollection.Name)]
public sealed class CoordinatorClusterFixtureTests(CoordinatorClusterFixture fixture)
{
    [Fact]
    public void Silo_DefaultGrainStorageAndJournal_AreOneStoreOnTheFixturesFile()
    {
        var storage = Assert.IsType<SqliteGrainStorage>(fixture.SiloServices.GetRequiredService<IGrainStorage>());
        Assert.Equal(fixture.StorePath, storage.Store.Path);
        Assert.Same(storage.Store.Journal, fixture.SiloServices.GetRequiredService<EventJournal>());
        Assert.Equal(fixture.StorageFolder, Path.GetDirectoryName(fixture.StorePath));
        Assert.True(File.Exists(fixture.StorePath));
    }

    [Fact]
    public async Task Dispose_DeletesTheFolder()
    {
        var other = new CoordinatorClusterFixture();
        await other.InitializeAsync();
        Assert.True(File.Exists(other.StorePath));
        await other.DisposeAsync();
        Assert.False(Directory.Exists(other.StorageFolder));
    }
}
