using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Coordinator.Storage;
using Asl.Distributed.Coordinator.Tests.Storage;

namespace Asl.Distributed.Coordinator.Tests.EndToEnd;

/// <summary>
/// <c>asl serve</c> killed with SIGKILL while a chosen grain state write of a real sweep is in progress (held by
/// the store's test-only fault point, <see cref="StoreWriteHold"/>), then started again on its folder.
/// </summary>
public sealed class StoreWriteKillTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("asl-store-kill-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    // A trial's writes, in order: created, gang allocated, one per epoch, ended. Trial 1 is allocated its worker
    // while trial 0's end is being handled.
    [Theory]
    // Trial 0's second epoch: the sweep has recorded it (and its decision); the trial's own record is cut off inside its transaction.
    [InlineData("4 before-commit of grain 'trial/held.0000'")]
    // Trial 0's end is on disk; the registry still holds its worker and the sweep still thinks it runs.
    [InlineData("6 after-commit of grain 'trial/held.0000'")]
    // The registry has given trial 1 the worker; the trial's record of that attempt is cut off.
    [InlineData("2 before-commit of grain 'trial/held.0001'")]
    public async Task ServeKilledDuringAStoreWrite_RestartedOnItsFolder_TheSweepCompletesWithEveryEpochOnceAndTheStoreIntact(string hold)
    {
        using var coordinator = new ServedCoordinator(_folder, heartbeatTimeoutSeconds: 60);
        await coordinator.Start(new Dictionary<string, string> { [StoreWriteHold.Variable] = hold });
        await coordinator.StartAgent("w0");
        await coordinator.Client.SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = EndToEndSpecs.Tiny("held", 3, 1, 4) });

        string held = await coordinator.WaitForHeldWrite();
        Assert.Contains(hold.Split(' ', 3)[2], held);
        await coordinator.Kill();
        await coordinator.Start();
        await coordinator.Until("held", e => e.KindCase == SweepEvent.KindOneofCase.SweepEnded);

        var trials = (await coordinator.Client.ListTrialsAsync(new ListTrialsRequest { SweepId = "held" })).Trials;
        Assert.Equal(["held.0000", "held.0001", "held.0002"], trials.Select(t => t.TrialId));
        Assert.All(trials, t => Assert.Equal(TrialState.Completed, t.State));
        Assert.All(trials, t => Assert.Equal([1, 2, 3], t.Epochs.Select(e => e.Epoch)));
        Assert.All(trials, t => Assert.DoesNotContain(t.Attempts, a => a.CountedAsFailure));
        // The trainer's own record agrees: every epoch once, none run twice.
        foreach (var t in trials)
        {
            var lines = File.ReadAllLines(Path.Combine(coordinator.Directory, "trials", "held", t.TrialId, "metrics.jsonl"));
            Assert.Equal([1, 2, 3], lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("epoch").GetInt32()));
        }
        var sweep = await coordinator.Client.GetSweepAsync(new GetSweepRequest { SweepId = "held" });
        Assert.Equal(SweepState.Finished, sweep.State);
        Assert.Equal(9, sweep.TotalEpochs);
        Assert.Equal(["ok"], Stores.QuickCheck(coordinator.StorePath));
    }
}
