using Asl.Distributed.Contracts.V1;

namespace Asl.Distributed.Coordinator.Tests.Api;

/// <summary>
/// A seeded random sweep whose coordinator restarts on its folder mid-way makes the trials an uninterrupted one
/// makes. In process: the restart is the same silo start on the same SQLite folder that a killed <c>asl serve</c>
/// goes through, and every write these grains make is awaited before anything acts on it, so the folder a clean
/// stop leaves is the one a kill at that point would leave.
/// </summary>
public sealed class RandomSweepRestartTests
{
    // Six sampled trials and a baseline, at most two unfinished at once: the sweep creates trial i + 2 when trial i ends.
    private const string Spec = """
        name: seeded
        config:
          schedule: {epochs: 2, stop_epoch: 0}
        search_space:
          loss.gamma_neg: {uniform: [1, 6]}
          loss.gamma_pos: {choice: [0, 1]}
          loss.clip: {uniform: [0, 0.1]}
        baselines:
          - {loss.preset: bce}
        algorithm: {kind: random, num_trials: 6}
        max_concurrent_trials: 2
        seed: 1234
        """;

    [Fact]
    public async Task RandomSweep_RestartedAfterItsFirstTrial_MakesTheSameTrialsSettingsSeedsAndConfigsAsAnUninterruptedOne()
    {
        var uninterrupted = await RunSweep(restartAfterFirstTrial: false);
        var restarted = await RunSweep(restartAfterFirstTrial: true);

        Assert.Equal(7, uninterrupted.Count);
        Assert.Equal(uninterrupted.Select(t => t.TrialId), restarted.Select(t => t.TrialId));
        Assert.Equal(uninterrupted.Select(t => t.Seed), restarted.Select(t => t.Seed));
        Assert.Equal(uninterrupted.Select(t => t.Settings), restarted.Select(t => t.Settings));
        // The config each trial trained with, every resolved key (its seed and samples included), but for the coordinator's folder.
        Assert.Equal(uninterrupted.Select(t => t.ConfigYaml), restarted.Select(t => t.ConfigYaml));
        // Sampled, not fixed: the six search trials differ from each other, and their seeds too.
        Assert.Equal(6, uninterrupted.Skip(1).Select(t => t.Settings).Distinct().Count());
        Assert.Equal(7, uninterrupted.Select(t => t.Seed).Distinct().Count());
    }

    /// <summary>Runs the sweep to its end with one simulated worker; returns each trial as started and as listed at the end.</summary>
    private static async Task<List<Made>> RunSweep(bool restartAfterFirstTrial)
    {
        await using var coordinator = await TestCoordinator.Start();
        await using var worker = new SimulatedWorker(coordinator.WorkerClient(), "w1", 29501);
        await worker.Join();
        await coordinator.Client().SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = Spec });

        var configs = new Dictionary<string, string>();
        for (int i = 0; i < 7; i++)
        {
            var start = await worker.NextStart();
            // An order read before the restart is sent again after it, as to a real agent, which ignores the repeat.
            while (configs.ContainsKey(start.TrialId))
                start = await worker.NextStart();
            configs[start.TrialId] = start.ConfigYaml.Replace(coordinator.Directory, "<coordinator>", StringComparison.Ordinal);
            await worker.Report(start, 1, 40 + i);
            await worker.Report(start, 2, 45 + i);
            await worker.Complete(start);
            if (i == 0 && restartAfterFirstTrial)
            {
                // The next trial's start order may have died with the old process (a kill loses it the same way);
                // the worker, which registers again running nothing, is sent it again.
                await coordinator.Restart();
                worker.Client = coordinator.WorkerClient();
                await worker.Join();
            }
        }

        var trials = (await coordinator.Client().ListTrialsAsync(new ListTrialsRequest { SweepId = "seeded" })).Trials;
        Assert.All(trials, t => Assert.Equal(TrialState.Completed, t.State));
        return [.. trials.OrderBy(t => t.Index).Select(t => new Made(t.TrialId, t.Seed,
            string.Join("; ", t.Settings.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}={s.Value}")), configs[t.TrialId]))];
    }

    private sealed record Made(string TrialId, long Seed, string Settings, string ConfigYaml);
}
