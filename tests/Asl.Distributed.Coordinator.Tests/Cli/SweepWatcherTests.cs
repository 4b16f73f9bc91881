using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Coordinator.Cli;
using Asl.Distributed.Coordinator.Tests.Api;
using Microsoft.Extensions.Time.Testing;

namespace Asl.Distributed.Coordinator.Tests.Cli;

/// <summary>The live table and the plain lines of <c>asl sweep run|watch</c>, against the real API.</summary>
public sealed class SweepWatcherTests : IAsyncLifetime
{
    private TestCoordinator _coordinator = null!;

    public async Task InitializeAsync() => _coordinator = await TestCoordinator.Start();

    public async Task DisposeAsync() => await _coordinator.DisposeAsync();

    [Fact]
    public async Task Watch_OnATerminalWithTheClockStill_DrawsAtTheFirstEventAndAtTheEndOnly()
    {
        var output = new StringWriter();
        var watcher = new SweepWatcher(_coordinator.Client(), output, redraw: true, new FakeTimeProvider());
        var events = await RunWatched(watcher);

        // Many events, but no redraw interval passed between them: the first draw and the final one.
        Assert.True(events > 10, $"{events} events");
        Assert.Equal(2, watcher.Draws);
        string final = output.ToString()[(output.ToString().LastIndexOf("\u001b[J", StringComparison.Ordinal) + 3)..];
        foreach (var trial in new[] { "watched.0000", "watched.0001", "watched.0002" })
            Assert.Matches($@"{trial}\s+completed\s+2\s", final);
    }

    [Fact]
    public async Task Watch_RedirectedOutput_WritesOneLinePerEventAndNoTable()
    {
        var output = new StringWriter();
        var watcher = new SweepWatcher(_coordinator.Client(), output, redraw: false, new FakeTimeProvider());
        var events = await RunWatched(watcher);

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(events, lines.Length);
        Assert.Equal(0, watcher.Draws);
        Assert.StartsWith("sweep finished; best watched.0002", lines[^1]);
    }

    /// <summary>Runs a 3-trial grid with one simulated worker while <paramref name="watcher"/> follows it; returns how many events the sweep sent.</summary>
    private async Task<int> RunWatched(SweepWatcher watcher)
    {
        await using var worker = new SimulatedWorker(_coordinator.WorkerClient(), "w1", 29501);
        await worker.Join();
        await _coordinator.Client().SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = Specs.Grid("watched", 2, values: [1, 2, 3]) });
        var watching = watcher.Watch("watched", CancellationToken.None);
        for (int i = 0; i < 3; i++)
        {
            var start = await worker.NextStart();
            await worker.Report(start, 1, 40);
            await worker.Report(start, 2, 50 + 10 * i);
            await worker.Complete(start);
        }

        var info = await watching;
        Assert.Equal(SweepState.Finished, info.State);
        return (int)await LastSequence("watched");
    }

    private async Task<long> LastSequence(string sweepId)
    {
        using var call = _coordinator.Client().WatchSweep(new WatchSweepRequest { SweepId = sweepId });
        long last = 0;
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            last = call.ResponseStream.Current.Sequence;
            if (call.ResponseStream.Current.KindCase == SweepEvent.KindOneofCase.SweepEnded)
                break;
        }
        return last;
    }
}
