using Asl.Distributed.Coordinator.Storage;

namespace Asl.Distributed.Coordinator.Tests.Storage;

/// <summary>
/// Writes that SQLite refuses half-way: the transaction rolls back, what was stored before stays readable,
/// and the store keeps working once the cause is gone.
/// </summary>
public sealed class FailedWriteTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Write_DiskFull_ThrowsDiskFullAndTheOldStateStays()
    {
        using var store = Stores.Open(_folder.File());
        await store.GrainStates.WriteAsync("trial", "trial/1", "trial", null, new byte[] { 1, 2, 3 });
        await store.Journal.AppendAsync("sweep", "started", new byte[] { 7 });
        var pages = PageCount(store.Path);
        await store.SetMaxPageCountAsync(pages, CancellationToken.None);

        var error = await Assert.ThrowsAsync<StoreWriteException>(
            () => store.GrainStates.WriteAsync("trial", "trial/1", "trial", 1, new byte[256 * 1024]));
        Assert.True(error.IsDiskFull);
        Assert.Equal(13, error.SqliteErrorCode);
        Assert.Contains("trial/1", error.Message);
        Assert.Contains("disk is full", error.Message);
        await Assert.ThrowsAsync<StoreWriteException>(() => store.Journal.AppendAsync("sweep", "big", new byte[256 * 1024]));

        var record = await store.GrainStates.ReadAsync("trial", "trial/1");
        Assert.Equal(new byte[] { 1, 2, 3 }, record!.Payload);
        Assert.Equal(1, record.Version);
        Assert.Equal(1, await store.Journal.LastSequenceAsync("sweep"));

        await store.SetMaxPageCountAsync(1_000_000, CancellationToken.None);
        var retried = await store.GrainStates.WriteAsync("trial", "trial/1", "trial", 1, new byte[256 * 1024]);
        Assert.Equal(new ConditionalWriteResult(true, 2), retried);
        Assert.Equal(2, await store.Journal.AppendAsync("sweep", "big", new byte[256 * 1024]));
    }

    [Fact]
    public async Task Append_FailsAfterItsFirstStatement_RollsBackAndLeavesNoGap()
    {
        var path = _folder.File();
        using var store = Stores.Open(path);
        await store.Journal.AppendAsync("sweep", "started", new byte[] { 1 });
        // Another connection adds a trigger that aborts the INSERT, which runs after the append has read the
        // next sequence number inside its transaction: the failure lands in the middle of the transaction.
        using (var other = Stores.Raw(path))
        {
            Stores.Execute(other, "CREATE TRIGGER fail_append BEFORE INSERT ON journal BEGIN SELECT RAISE(ABORT, 'simulated failure'); END;");
        }

        var error = await Assert.ThrowsAsync<StoreWriteException>(() => store.Journal.AppendAsync("sweep", "lost", new byte[] { 2 }));
        Assert.Contains("simulated failure", error.Message);
        Assert.False(error.IsDiskFull);

        using (var other = Stores.Raw(path))
        {
            Stores.Execute(other, "DROP TRIGGER fail_append");
        }

        Assert.Equal(2, await store.Journal.AppendAsync("sweep", "next", new byte[] { 3 }));
        var events = await store.Journal.ReadAsync("sweep", 0, 10);
        Assert.Equal(["started", "next"], events.Select(e => e.EventType));
    }

    [Fact]
    public async Task Write_FailsAfterReadingTheVersion_KeepsTheOldRecord()
    {
        var path = _folder.File();
        using var store = Stores.Open(path);
        await store.GrainStates.WriteAsync("trial", "trial/1", "trial", null, new byte[] { 1 });
        using (var other = Stores.Raw(path))
        {
            Stores.Execute(other, "CREATE TRIGGER fail_update BEFORE UPDATE ON grain_state BEGIN SELECT RAISE(ABORT, 'simulated failure'); END;");
        }

        await Assert.ThrowsAsync<StoreWriteException>(() => store.GrainStates.WriteAsync("trial", "trial/1", "trial", 1, new byte[] { 2 }));
        var record = await store.GrainStates.ReadAsync("trial", "trial/1");
        Assert.Equal(new byte[] { 1 }, record!.Payload);
        Assert.Equal(1, record.Version);
    }

    private static long PageCount(string path)
    {
        using var connection = Stores.Raw(path, Microsoft.Data.Sqlite.SqliteOpenMode.ReadOnly);
        return (long)Stores.Scalar(connection, "PRAGMA page_count")!;
    }
}
