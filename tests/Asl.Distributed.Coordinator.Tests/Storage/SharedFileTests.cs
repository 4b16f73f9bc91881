using Asl.Distributed.Coordinator.Storage;
using Orleans.Runtime;
using Orleans.Storage;

namespace Asl.Distributed.Coordinator.Tests.Storage;

/// <summary>
/// Several providers and store instances on one file: in one catalog they share a store; in two catalogs
/// (as two processes would) they have separate connections and the ETag still arbitrates between them.
/// </summary>
public sealed class SharedFileTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Open_TwoProvidersOneCatalogOneFile_ShareOneStore()
    {
        using var catalog = GrainStorages.Catalog();
        var first = GrainStorages.Create(catalog, _folder.File(), "first");
        var second = GrainStorages.Create(catalog, Path.Combine(_folder.Path, ".", "coordinator.db"), "second");
        Assert.Same(first.Store, second.Store);
    }

    [Fact]
    public async Task Write_ThroughOneInstance_ReadThroughAnother()
    {
        using var catalogA = GrainStorages.Catalog();
        using var catalogB = GrainStorages.Catalog();
        var a = GrainStorages.Create(catalogA, _folder.File());
        var b = GrainStorages.Create(catalogB, _folder.File());
        Assert.NotSame(a.Store, b.Store);
        var grain = GrainId.Create("trial", "t1");

        var written = new GrainState<SampleState>(new SampleState { Name = "from a", Count = 1 });
        await a.WriteStateAsync("trial", grain, written);
        var read = new GrainState<SampleState>(new SampleState());
        await b.ReadStateAsync("trial", grain, read);

        Assert.Equal(written.State, read.State);
        Assert.Equal(written.ETag, read.ETag);
    }

    [Fact]
    public async Task Write_SameETagThroughTwoInstances_SecondThrowsInconsistent()
    {
        using var catalogA = GrainStorages.Catalog();
        using var catalogB = GrainStorages.Catalog();
        var a = GrainStorages.Create(catalogA, _folder.File());
        var b = GrainStorages.Create(catalogB, _folder.File());
        var grain = GrainId.Create("trial", "t1");
        var original = new GrainState<SampleState>(new SampleState { Count = 1 });
        await a.WriteStateAsync("trial", grain, original);

        // Two activations of one grain (one per silo) that both read ETag 1.
        var inA = new GrainState<SampleState>(new SampleState { Count = 2 }, original.ETag);
        var inB = new GrainState<SampleState>(new SampleState { Count = 3 }, original.ETag);
        await a.WriteStateAsync("trial", grain, inA);
        await Assert.ThrowsAsync<InconsistentStateException>(() => b.WriteStateAsync("trial", grain, inB));

        var read = new GrainState<SampleState>(new SampleState());
        await b.ReadStateAsync("trial", grain, read);
        Assert.Equal(2, read.State!.Count);
    }

    [Fact]
    public async Task Append_TwoInstancesConcurrently_OneGaplessSequence()
    {
        using var storeA = Stores.Open(_folder.File());
        using var storeB = Stores.Open(_folder.File());
        const int PerStore = 40;
        var appends = Enumerable.Range(0, PerStore)
            .SelectMany(i => new[] { (Store: storeA, Tag: (byte)'a', I: i), (Store: storeB, Tag: (byte)'b', I: i) })
            .Select(x => Task.Run(() => x.Store.Journal.AppendAsync("sweep", "tick", new[] { x.Tag, (byte)x.I })))
            .ToArray();
        var sequences = await Task.WhenAll(appends);

        Assert.Equal(Enumerable.Range(1, 2 * PerStore).Select(i => (long)i), sequences.Order());
        var events = await storeA.Journal.ReadAsync("sweep", 0, 1000);
        Assert.Equal(sequences.Order(), events.Select(e => e.Sequence));
        Assert.Equal(PerStore, events.Count(e => e.Payload[0] == 'a'));
        Assert.Equal(PerStore, events.Count(e => e.Payload[0] == 'b'));
    }

    [Fact]
    public async Task Read_AfterStoreClosedAndReopened_FindsEveryState()
    {
        var grains = Enumerable.Range(0, 5).Select(i => GrainId.Create("trial", $"t{i}")).ToArray();
        using (var catalog = GrainStorages.Catalog())
        {
            var storage = GrainStorages.Create(catalog, _folder.File());
            foreach (var (grain, i) in grains.Select((g, i) => (g, i)))
            {
                var state = new GrainState<SampleState>(new SampleState { Name = grain.ToString(), Count = i });
                for (var write = 0; write <= i; write++)
                {
                    await storage.WriteStateAsync("trial", grain, state);
                }
            }
        }

        using var reopened = GrainStorages.Catalog();
        var again = GrainStorages.Create(reopened, _folder.File());
        foreach (var (grain, i) in grains.Select((g, i) => (g, i)))
        {
            var read = new GrainState<SampleState>(new SampleState());
            await again.ReadStateAsync("trial", grain, read);
            Assert.Equal(new SampleState { Name = grain.ToString(), Count = i }, read.State);
            Assert.Equal((i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), read.ETag);
        }
    }
}
