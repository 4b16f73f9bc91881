using Asl.Distributed.Coordinator.Trials;

namespace Asl.Distributed.Coordinator.Sweeps;

/// <summary>
/// One sweep (key: the sweep id, its spec's name): plans trials, applies its early-stopping rule to each reported
/// epoch, keeps the leaderboard and publishes the sweep's events. Trials call it (awaited); it calls trials without
/// waiting, except to create a new one (which cannot be calling it yet), so no call cycle can block.
/// </summary>
[Alias("asl.ISweepGrain")]
public interface ISweepGrain : IGrainWithStringKey
{
    /// <summary>Stores a validated spec and starts the sweep, or goes on with the stored one if it is the same spec.</summary>
    /// <exception cref="SweepConflictException">A different spec is stored under this name.</exception>
    [Alias("Submit")]
    Task<SubmitOutcome> Submit(string specYaml);

    /// <summary>After a restart: makes sure every planned trial exists and plans more if there is room.</summary>
    [Alias("Resume")]
    Task Resume();

    [Alias("Get")]
    Task<SweepRecord> Get();

    /// <summary>Cancels every trial that has not ended; returns how many.</summary>
    [Alias("Cancel")]
    Task<int> Cancel();

    /// <summary>Records a trial's epoch and decides whether it goes on (the same answer for a re-delivered epoch).</summary>
    [Alias("OnEpoch")]
    Task<EpochDecision> OnEpoch(int index, int epoch, string metricsJson);

    /// <summary>A trial moved to a new status.</summary>
    [Alias("OnTrialChanged")]
    Task OnTrialChanged(TrialChange change);
}
