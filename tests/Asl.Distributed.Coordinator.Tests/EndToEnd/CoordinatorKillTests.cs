using Asl.Distributed.Contracts.V1;

namespace Asl.Distributed.Coordinator.Tests.EndToEnd;

/// <summary><c>asl serve</c> killed with SIGKILL mid-sweep and started again on its folder, with a real worker agent training throughout.</summary>
public sealed class CoordinatorKillTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("asl-serve-kill-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task ServeKilledMidSweep_RestartedOnItsFolder_TheSweepCompletesWithEveryEpochOnceAndNoTrialRestarted()
    {
        using var coordinator = new ServedCoordinator(_folder, heartbeatTimeoutSeconds: 60);
        await coordinator.Start();
        await coordinator.StartAgent("w0");
        await coordinator.Client.SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = EndToEndSpecs.Tiny("killed", 3, 1, 4) });
        // Killed once trial 0 has reported its first epoch, while it trains on.
        await coordinator.Until("killed", e => e.KindCase == SweepEvent.KindOneofCase.Epoch);

        await coordinator.Kill();
        await coordinator.Start();
        await coordinator.Until("killed", e => e.KindCase == SweepEvent.KindOneofCase.SweepEnded);

        var trials = (await coordinator.Client.ListTrialsAsync(new ListTrialsRequest { SweepId = "killed" })).Trials;
        Assert.Equal(3, trials.Count);
        Assert.All(trials, t => Assert.Equal(TrialState.Completed, t.State));
        Assert.All(trials, t => Assert.Equal([1, 2, 3], t.Epochs.Select(e => e.Epoch)));
        Assert.All(trials, t => Assert.Single(t.Attempts));
        // The trainer's own record agrees: three epochs each, none run twice.
        foreach (var t in trials)
            Assert.Equal(3, File.ReadAllLines(Path.Combine(coordinator.Directory, "trials", "killed", t.TrialId, "metrics.jsonl")).Length);
        Assert.Equal(SweepState.Finished, (await coordinator.Client.GetSweepAsync(new GetSweepRequest { SweepId = "killed" })).State);
    }
}
