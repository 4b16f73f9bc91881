using Asl.Distributed.Coordinator.Storage;
using Orleans.Runtime;
using Orleans.Storage;

namespace Asl.Distributed.Coordinator.Tests.Storage;

/// <summary>
/// The grain storage provider against Orleans' contract: reads of missing and cleared state, ETags that
/// change on every write and clear, and <see cref="InconsistentStateException"/> with nothing changed on a
/// stale or duplicate write.
/// </summary>
public sealed class SqliteGrainStorageTests : IDisposable
{
    private const string StateName = "trial";
    private readonly TempFolder _folder = new();
    private readonly SqliteStoreCatalog _catalog = GrainStorages.Catalog();
    private readonly SqliteGrainStorage _storage;

    public SqliteGrainStorageTests() => _storage = GrainStorages.Create(_catalog, _folder.File());

    public void Dispose()
    {
        _catalog.Dispose();
        _folder.Dispose();
    }

    private static GrainId NewGrain() => GrainId.Create("trial", Guid.NewGuid().ToString("N"));

    private static GrainState<SampleState> Holding(SampleState state, string? etag = null) => new(state, etag);

    [Fact]
    public async Task Read_NeverWritten_NewStateNoETagNoRecord()
    {
        var read = Holding(new SampleState { Name = "stale", Count = 5 }, "17");
        read.RecordExists = true;
        await _storage.ReadStateAsync(StateName, NewGrain(), read);
        Assert.Equal(new SampleState(), read.State);
        Assert.Null(read.ETag);
        Assert.False(read.RecordExists);
    }

    [Fact]
    public async Task Write_ThenRead_SameStateAndETag()
    {
        var grain = NewGrain();
        var written = Holding(new SampleState { Name = "Гамма", Count = 3, Metrics = [0.25, 0.5] });
        await _storage.WriteStateAsync(StateName, grain, written);
        Assert.Equal("1", written.ETag);
        Assert.True(written.RecordExists);

        var read = Holding(new SampleState());
        await _storage.ReadStateAsync(StateName, grain, read);
        Assert.Equal(written.State, read.State);
        Assert.Equal("1", read.ETag);
        Assert.True(read.RecordExists);
    }

    [Fact]
    public async Task Write_Repeatedly_ETagCountsEveryWriteEvenOfTheSameValue()
    {
        var grain = NewGrain();
        var state = Holding(new SampleState { Name = "same" });
        var etags = new List<string?>();
        for (var i = 0; i < 3; i++)
        {
            await _storage.WriteStateAsync(StateName, grain, state);
            etags.Add(state.ETag);
        }

        Assert.Equal(["1", "2", "3"], etags);
    }

    [Fact]
    public async Task Write_NullETagOverExistingRecord_ThrowsInconsistentAndKeepsTheRecord()
    {
        var grain = NewGrain();
        var first = Holding(new SampleState { Name = "first" });
        await _storage.WriteStateAsync(StateName, grain, first);

        var duplicate = Holding(new SampleState { Name = "duplicate" });
        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync(StateName, grain, duplicate));
        Assert.Equal("1", error.StoredEtag);
        Assert.Null(error.CurrentEtag);
        Assert.Null(duplicate.ETag);
        await AssertStored(grain, first.State!, "1");
    }

    [Fact]
    public async Task Write_StaleETag_ThrowsInconsistentAndKeepsTheLatest()
    {
        var grain = NewGrain();
        var current = Holding(new SampleState { Count = 1 });
        await _storage.WriteStateAsync(StateName, grain, current);
        var stale = Holding(new SampleState { Count = 99 }, current.ETag);
        current.State = new SampleState { Count = 2 };
        await _storage.WriteStateAsync(StateName, grain, current);

        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync(StateName, grain, stale));
        Assert.Equal("2", error.StoredEtag);
        Assert.Equal("1", error.CurrentEtag);
        Assert.Contains(grain.ToString(), error.Message);
        await AssertStored(grain, new SampleState { Count = 2 }, "2");
    }

    [Theory]
    [InlineData("W/\"0x8D\"")]
    [InlineData("-1")]
    [InlineData("1.0")]
    public async Task Write_ETagThisProviderNeverIssued_ThrowsInconsistent(string etag)
    {
        var grain = NewGrain();
        await _storage.WriteStateAsync(StateName, grain, Holding(new SampleState { Count = 1 }));
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync(StateName, grain, Holding(new SampleState(), etag)));
        await AssertStored(grain, new SampleState { Count = 1 }, "1");
    }

    [Fact]
    public async Task Write_ETagOfAMissingRecord_ThrowsInconsistent()
    {
        var error = await Assert.ThrowsAsync<InconsistentStateException>(
            () => _storage.WriteStateAsync(StateName, NewGrain(), Holding(new SampleState(), "4")));
        Assert.Null(error.StoredEtag);
    }

    [Fact]
    public async Task Clear_WrittenState_RaisesETagResetsStateAndLaterReadsFindNoRecord()
    {
        var grain = NewGrain();
        var state = Holding(new SampleState { Name = "x", Count = 4 });
        await _storage.WriteStateAsync(StateName, grain, state);
        await _storage.ClearStateAsync(StateName, grain, state);
        Assert.Equal("2", state.ETag);
        Assert.False(state.RecordExists);
        Assert.Equal(new SampleState(), state.State);

        var read = Holding(new SampleState { Name = "junk" });
        await _storage.ReadStateAsync(StateName, grain, read);
        Assert.Equal("2", read.ETag);
        Assert.False(read.RecordExists);
        Assert.Equal(new SampleState(), read.State);
    }

    [Fact]
    public async Task Write_AfterClearWithTheClearsETag_Succeeds()
    {
        var grain = NewGrain();
        var state = Holding(new SampleState { Count = 1 });
        await _storage.WriteStateAsync(StateName, grain, state);
        await _storage.ClearStateAsync(StateName, grain, state);
        state.State = new SampleState { Name = "second", Count = 2 };
        await _storage.WriteStateAsync(StateName, grain, state);
        Assert.Equal("3", state.ETag);
        Assert.True(state.RecordExists);
        await AssertStored(grain, new SampleState { Name = "second", Count = 2 }, "3");
    }

    [Fact]
    public async Task Write_NullETagAfterAClear_ThrowsInconsistent()
    {
        var grain = NewGrain();
        var state = Holding(new SampleState { Count = 1 });
        await _storage.WriteStateAsync(StateName, grain, state);
        await _storage.ClearStateAsync(StateName, grain, state);

        // An activation that read nothing before the record existed must not write over the clear.
        var error = await Assert.ThrowsAsync<InconsistentStateException>(
            () => _storage.WriteStateAsync(StateName, grain, Holding(new SampleState { Count = 7 })));
        Assert.Equal("2", error.StoredEtag);
    }

    [Fact]
    public async Task Clear_StaleETag_ThrowsInconsistentAndKeepsTheLatest()
    {
        var grain = NewGrain();
        var state = Holding(new SampleState { Count = 1 });
        await _storage.WriteStateAsync(StateName, grain, state);
        var staleETag = state.ETag;
        state.State = new SampleState { Count = 2 };
        await _storage.WriteStateAsync(StateName, grain, state);

        var stale = Holding(new SampleState(), staleETag);
        stale.RecordExists = true;
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.ClearStateAsync(StateName, grain, stale));
        await AssertStored(grain, new SampleState { Count = 2 }, "2");
    }

    [Fact]
    public async Task Clear_NeverWritten_SucceedsWritingNothing()
    {
        var grain = NewGrain();
        var state = Holding(new SampleState { Name = "stale" });
        state.RecordExists = true;
        await _storage.ClearStateAsync(StateName, grain, state);
        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
        Assert.Equal(new SampleState(), state.State);
        Assert.Null(await _storage.Store.GrainStates.ReadAsync(StateName, grain.ToString()));
    }

    [Fact]
    public async Task Clear_Twice_SecondSucceedsToo()
    {
        var grain = NewGrain();
        var state = Holding(new SampleState { Count = 1 });
        await _storage.WriteStateAsync(StateName, grain, state);
        await _storage.ClearStateAsync(StateName, grain, state);
        await _storage.ClearStateAsync(StateName, grain, state);
        Assert.Equal("3", state.ETag);
        Assert.False(state.RecordExists);
    }

    [Fact]
    public async Task Write_TwoStateNamesOfOneGrain_AreSeparateRecords()
    {
        var grain = NewGrain();
        await _storage.WriteStateAsync("first", grain, Holding(new SampleState { Name = "first" }));
        await _storage.WriteStateAsync("second", grain, Holding(new SampleState { Name = "second" }));

        var first = Holding(new SampleState());
        var second = Holding(new SampleState());
        await _storage.ReadStateAsync("first", grain, first);
        await _storage.ReadStateAsync("second", grain, second);
        Assert.Equal("first", first.State!.Name);
        Assert.Equal("second", second.State!.Name);
        Assert.Equal("1", second.ETag);
    }

    [Fact]
    public async Task Write_Record_KeepsTheGrainsTypeAndId()
    {
        var grain = GrainId.Create("sweep", "shapes-asl");
        await _storage.WriteStateAsync(StateName, grain, Holding(new SampleState()));
        var record = await _storage.Store.GrainStates.ReadAsync(StateName, "sweep/shapes-asl");
        Assert.NotNull(record);
        Assert.Equal("sweep", record.GrainType);
    }

    [Fact]
    public async Task Read_PayloadOfAnotherType_ThrowsNamingTheRecord()
    {
        var grain = NewGrain();
        await _storage.Store.GrainStates.WriteAsync(StateName, grain.ToString(), "trial", null, "not orleans binary"u8.ToArray());
        var error = await Assert.ThrowsAsync<StoreRecordException>(() => _storage.ReadStateAsync(StateName, grain, Holding(new SampleState())));
        Assert.Equal(grain.ToString(), error.GrainId);
        Assert.Equal(StateName, error.StateName);
        Assert.Equal("1", error.ETag);
    }

    [Fact]
    public async Task Write_CancelledBeforeStart_ThrowsAndWritesNothing()
    {
        var grain = NewGrain();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => ((IGrainStorage)_storage).WriteStateAsync(StateName, grain, Holding(new SampleState()), cancelled.Token));
        Assert.Null(await _storage.Store.GrainStates.ReadAsync(StateName, grain.ToString()));
    }

    private async Task AssertStored(GrainId grain, SampleState expected, string etag)
    {
        var read = Holding(new SampleState());
        await _storage.ReadStateAsync(StateName, grain, read);
        Assert.Equal(expected, read.State);
        Assert.Equal(etag, read.ETag);
        Assert.True(read.RecordExists);
    }
}
