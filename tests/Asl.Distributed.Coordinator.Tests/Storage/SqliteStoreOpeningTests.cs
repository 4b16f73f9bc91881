using Asl.Distributed.Coordinator.Storage;
using Microsoft.Data.Sqlite;

namespace Asl.Distributed.Coordinator.Tests.Storage;

/// <summary>Opening a store file: new, empty and existing files, checked through SQLite's own view of the file.</summary>
public sealed class SqliteStoreOpeningTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Open_MissingFileInMissingFolder_CreatesAnInitialisedWalStore()
    {
        var path = Path.Combine(_folder.Path, "a", "b", "coordinator.db");
        using (var store = Stores.Open(path))
        {
            Assert.Equal(path, store.Path);
        }

        using var connection = Stores.Raw(path, SqliteOpenMode.ReadOnly);
        Assert.Equal(0x41534C64L, Stores.Scalar(connection, "PRAGMA application_id"));
        Assert.Equal(1L, Stores.Scalar(connection, "PRAGMA user_version"));
        Assert.Equal("wal", Stores.Scalar(connection, "PRAGMA journal_mode"));
        Assert.Equal(1L, Stores.Scalar(connection, "SELECT count(*) FROM sqlite_schema WHERE name = 'grain_state'"));
        Assert.Equal(1L, Stores.Scalar(connection, "SELECT count(*) FROM sqlite_schema WHERE name = 'journal'"));
    }

    [Fact]
    public async Task Open_ZeroLengthFile_InitialisesIt()
    {
        var path = _folder.File();
        await File.WriteAllBytesAsync(path, []);
        using (var store = Stores.Open(path))
        {
            await store.Journal.AppendAsync("s", "t", new byte[] { 1 });
        }

        using var connection = Stores.Raw(path, SqliteOpenMode.ReadOnly);
        Assert.Equal(0x41534C64L, Stores.Scalar(connection, "PRAGMA application_id"));
        Assert.Equal(1L, Stores.Scalar(connection, "SELECT count(*) FROM journal"));
    }

    [Fact]
    public async Task Open_EmptySqliteDatabase_ClaimsIt()
    {
        var path = _folder.File();
        using (var connection = Stores.Raw(path))
        {
            // A database with a page but no tables, id or version: what `sqlite3 file 'VACUUM'` leaves.
            Stores.Execute(connection, "VACUUM");
        }

        using var store = Stores.Open(path);
        Assert.Equal(1, await store.Journal.AppendAsync("s", "t", new byte[] { 1 }));
    }

    [Fact]
    public async Task Open_ExistingStore_KeepsItsRecords()
    {
        var path = _folder.File();
        using (var store = Stores.Open(path))
        {
            await store.GrainStates.WriteAsync("s", "g/1", "g", null, new byte[] { 1, 2, 3 });
            await store.Journal.AppendAsync("stream", "created", new byte[] { 9 });
        }

        using var reopened = Stores.Open(path);
        var record = await reopened.GrainStates.ReadAsync("s", "g/1");
        Assert.NotNull(record);
        Assert.Equal(new byte[] { 1, 2, 3 }, record.Payload);
        Assert.Equal(1, record.Version);
        Assert.Equal(2, await reopened.Journal.AppendAsync("stream", "next", new byte[] { 10 }));
    }

    [Fact]
    public async Task Open_ExistingStoreUnderAPathNeedingEscapes_KeepsItsRecords()
    {
        // The check of an existing file reads it through a file: URI, where these characters must be escaped.
        var path = Path.Combine(_folder.Path, "my sweeps #2 100% γ", "coordinator?.db");
        using (var store = Stores.Open(path))
        {
            await store.Journal.AppendAsync("s", "t", new byte[] { 1 });
        }

        using var reopened = Stores.Open(path);
        Assert.Equal(1, await reopened.Journal.LastSequenceAsync("s"));
    }

    [Fact]
    public async Task Dispose_AfterWrites_CheckpointsTheLogIntoTheFile()
    {
        var path = _folder.File();
        using (var store = Stores.Open(path))
        {
            await store.GrainStates.WriteAsync("s", "g/1", "g", null, new byte[] { 1 });
            Assert.Contains("coordinator.db-wal", _folder.FileNames());
        }

        Assert.Equal(["coordinator.db"], _folder.FileNames());
    }

    [Fact]
    public async Task Write_Time_IsTheTimeProvidersNow()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2031, 5, 6, 7, 8, 9, 123, TimeSpan.Zero));
        using var store = Stores.Open(_folder.File(), time);
        await store.GrainStates.WriteAsync("s", "g/1", "g", null, new byte[] { 1 });
        time.Advance(TimeSpan.FromSeconds(90));
        await store.Journal.AppendAsync("stream", "t", new byte[] { 1 });

        var record = await store.GrainStates.ReadAsync("s", "g/1");
        var events = await store.Journal.ReadAsync("stream", 0, 10);
        Assert.Equal(new DateTimeOffset(2031, 5, 6, 7, 8, 9, 123, TimeSpan.Zero), record!.UpdatedAt);
        Assert.Equal(new DateTimeOffset(2031, 5, 6, 7, 9, 39, 123, TimeSpan.Zero), events[0].AppendedAt);
    }
}
