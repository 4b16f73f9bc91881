using Asl.Distributed.Coordinator.Storage;
using Asl.Distributed.Coordinator.Tests.Cluster;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Asl.Distributed.Coordinator.Tests.Storage;

/// <summary>A grain in a real Orleans silo persisting through the SQLite provider, across restarts of the silo.</summary>
[Collection(CoordinatorClusterCollection.Name)]
public sealed class SqliteGrainStorageClusterTests(CoordinatorClusterFixture fixture)
{
    private static string NewKey() => Guid.NewGuid().ToString("N");

    [Theory]
    [InlineData(ClusterRestart.Graceful)]
    [InlineData(ClusterRestart.Kill)]
    public async Task Increment_ThenRestart_CounterAndETagSurvive(ClusterRestart how)
    {
        var key = NewKey();
        var grain = fixture.Client.GetGrain<ICounterGrain>(key);
        for (var i = 1; i <= 3; i++)
        {
            Assert.Equal(i, await grain.Increment());
        }

        var before = await grain.Get();
        var starts = fixture.Starts;
        await fixture.RestartAsync(how);
        Assert.Equal(starts + 1, fixture.Starts);

        var after = fixture.Client.GetGrain<ICounterGrain>(key);
        Assert.Equal(new CounterReading(3, "3", true), before);
        Assert.Equal(before, await after.Get());
        Assert.Equal(4, await after.Increment());
    }

    [Fact]
    public async Task Increment_WritesTheRecordIntoTheFixturesFile()
    {
        var key = NewKey();
        await fixture.Client.GetGrain<ICounterGrain>(key).Increment();
        await fixture.Client.GetGrain<ICounterGrain>(key).Increment();

        using var connection = Stores.Raw(fixture.StorePath, SqliteOpenMode.ReadOnly);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT state_name, grain_type, version, payload FROM grain_state WHERE grain_id = $id";
        command.Parameters.AddWithValue("$id", $"storage-test-counter/{key}");
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        Assert.Equal("counter", reader.GetString(0));
        Assert.Equal("storage-test-counter", reader.GetString(1));
        Assert.Equal(2, reader.GetInt64(2));
        // The silo's default IGrainStorageSerializer is Orleans' Newtonsoft JSON one, which names the CLR type.
        using var payload = System.Text.Json.JsonDocument.Parse((byte[])reader.GetValue(3));
        Assert.Equal(2, payload.RootElement.GetProperty("Value").GetInt32());
        Assert.StartsWith(typeof(CounterState).FullName + ",", payload.RootElement.GetProperty("$type").GetString());
    }

    [Fact]
    public async Task Clear_ThenRestart_GrainStartsFromANewState()
    {
        var key = NewKey();
        var grain = fixture.Client.GetGrain<ICounterGrain>(key);
        await grain.Increment();
        await grain.Clear();
        await fixture.RestartAsync();

        Assert.Equal(new CounterReading(0, "2", false), await fixture.Client.GetGrain<ICounterGrain>(key).Get());
    }

    [Fact]
    public async Task Record_ThenRestart_JournalKeepsTheEventsAndNumberingGoesOn()
    {
        var key = NewKey();
        var grain = fixture.Client.GetGrain<ICounterGrain>(key);
        Assert.Equal(1, await grain.Record("created"));
        Assert.Equal(2, await grain.Record("started"));
        await fixture.RestartAsync(ClusterRestart.Kill);

        Assert.Equal(3, await fixture.Client.GetGrain<ICounterGrain>(key).Record("resumed"));
        var journal = fixture.SiloServices.GetRequiredService<EventJournal>();
        var events = await journal.ReadAsync(key, 0, 10);
        Assert.Equal(["created", "started", "resumed"], events.Select(e => e.EventType));
    }
}
