using System.Buffers.Binary;
using Asl.Distributed.Coordinator.Storage;

namespace Asl.Distributed.Coordinator.Tests.Storage;

/// <summary>The event journal: gapless per-stream numbering, resuming after a sequence, concurrent callers.</summary>
public sealed class EventJournalTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly SqliteStore _store;

    public EventJournalTests() => _store = Stores.Open(_folder.File());

    private EventJournal Journal => _store.Journal;

    public void Dispose()
    {
        _store.Dispose();
        _folder.Dispose();
    }

    private static byte[] Bytes(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return bytes;
    }

    private static long Value(byte[] bytes) => BinaryPrimitives.ReadInt64LittleEndian(bytes);

    [Fact]
    public async Task Append_TwoStreams_EachNumbersFromOne()
    {
        Assert.Equal(1, await Journal.AppendAsync("sweep-a", "created", Bytes(10)));
        Assert.Equal(1, await Journal.AppendAsync("sweep-b", "created", Bytes(20)));
        Assert.Equal(2, await Journal.AppendAsync("sweep-a", "trial", Bytes(11)));
        Assert.Equal(3, await Journal.AppendAsync("sweep-a", "trial", Bytes(12)));
        Assert.Equal(2, await Journal.AppendAsync("sweep-b", "trial", Bytes(21)));

        var a = await Journal.ReadAsync("sweep-a", 0, 100);
        Assert.Equal([1L, 2, 3], a.Select(e => e.Sequence));
        Assert.Equal([10L, 11, 12], a.Select(e => Value(e.Payload)));
        Assert.Equal(["created", "trial", "trial"], a.Select(e => e.EventType));
        Assert.All(a, e => Assert.Equal("sweep-a", e.StreamId));
        Assert.Equal(3, await Journal.LastSequenceAsync("sweep-a"));
        Assert.Equal(2, await Journal.LastSequenceAsync("sweep-b"));
    }

    [Fact]
    public async Task Read_AfterASequenceInPages_ResumesWhereTheLastPageEnded()
    {
        for (var i = 1; i <= 25; i++)
        {
            await Journal.AppendAsync("sweep", "tick", Bytes(i * 100));
        }

        var seen = new List<long>();
        long after = 0;
        while (true)
        {
            var page = await Journal.ReadAsync("sweep", after, 7);
            if (page.Count == 0)
            {
                break;
            }

            Assert.True(page.Count <= 7);
            seen.AddRange(page.Select(e => Value(e.Payload)));
            after = page[^1].Sequence;
        }

        Assert.Equal(Enumerable.Range(1, 25).Select(i => i * 100L), seen);
        Assert.Equal([21L, 22, 23, 24, 25], (await Journal.ReadAsync("sweep", 20, 100)).Select(e => e.Sequence));
    }

    [Fact]
    public async Task Read_UnknownStreamOrPastTheEnd_Empty()
    {
        await Journal.AppendAsync("sweep", "tick", Bytes(1));
        Assert.Empty(await Journal.ReadAsync("other", 0, 10));
        Assert.Empty(await Journal.ReadAsync("sweep", 1, 10));
        Assert.Equal(0, await Journal.LastSequenceAsync("other"));
    }

    [Fact]
    public async Task Append_ManyConcurrentCallers_EverySequenceOnceInAppendOrder()
    {
        const int Callers = 8;
        const int PerCaller = 25;
        var callers = Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
        {
            var mine = new List<(long Sequence, long Value)>();
            for (var i = 0; i < PerCaller; i++)
            {
                var value = caller * 1000 + i;
                mine.Add((await Journal.AppendAsync("sweep", "tick", Bytes(value)), value));
            }

            return mine;
        })).ToArray();
        var returned = (await Task.WhenAll(callers)).SelectMany(m => m).ToList();

        var events = await Journal.ReadAsync("sweep", 0, 10_000);
        Assert.Equal(Enumerable.Range(1, Callers * PerCaller).Select(i => (long)i), events.Select(e => e.Sequence));
        // Each caller got back the number its event is stored under, and its own appends are in its order.
        Assert.All(returned, r => Assert.Equal(r.Value, Value(events[(int)r.Sequence - 1].Payload)));
        foreach (var caller in Enumerable.Range(0, Callers))
        {
            var order = events.Select(e => Value(e.Payload)).Where(v => v / 1000 == caller).ToList();
            Assert.Equal(Enumerable.Range(0, PerCaller).Select(i => caller * 1000L + i), order);
        }
    }

    [Fact]
    public async Task Read_WhileAppending_AlwaysAGaplessPrefix()
    {
        const int Total = 150;
        var appender = Task.Run(async () =>
        {
            for (var i = 1; i <= Total; i++)
            {
                await Journal.AppendAsync("sweep", "tick", Bytes(i));
            }
        });

        // A follower that resumes after the last sequence it saw, as a `sweep watch` stream would.
        var seen = new List<long>();
        long after = 0;
        while (seen.Count < Total)
        {
            // Noted before the read: if the appender had finished then, an empty page means lost events.
            var appenderDone = appender.IsCompleted;
            var page = await Journal.ReadAsync("sweep", after, 10);
            foreach (var e in page)
            {
                Assert.Equal(after + 1, e.Sequence);
                Assert.Equal(e.Sequence, Value(e.Payload));
                seen.Add(e.Sequence);
                after = e.Sequence;
            }

            if (page.Count == 0)
            {
                if (appenderDone)
                {
                    await appender;
                    Assert.Equal(Total, after);
                }

                await Task.Yield();
            }
        }

        await appender;
        Assert.Equal(Enumerable.Range(1, Total).Select(i => (long)i), seen);
    }

    [Fact]
    public async Task Read_AfterReopen_SameEventsAndNumberingGoesOn()
    {
        var path = _store.Path;
        await Journal.AppendAsync("sweep", "a", Bytes(1));
        await Journal.AppendAsync("sweep", "b", Bytes(2));
        _store.Dispose();

        using var reopened = Stores.Open(path);
        Assert.Equal(["a", "b"], (await reopened.Journal.ReadAsync("sweep", 0, 10)).Select(e => e.EventType));
        Assert.Equal(3, await reopened.Journal.AppendAsync("sweep", "c", Bytes(3)));
    }

    [Fact]
    public async Task Arguments_OutOfRange_ThrowNamingTheParameter()
    {
        Assert.Equal("streamId", (await Assert.ThrowsAsync<ArgumentException>(() => Journal.AppendAsync("", "t", Bytes(1)))).ParamName);
        Assert.Equal("eventType", (await Assert.ThrowsAsync<ArgumentException>(() => Journal.AppendAsync("s", "", Bytes(1)))).ParamName);
        Assert.Equal("afterSequence", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Journal.ReadAsync("s", -1, 1))).ParamName);
        Assert.Equal("maxCount", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Journal.ReadAsync("s", 0, 0))).ParamName);
    }
}
