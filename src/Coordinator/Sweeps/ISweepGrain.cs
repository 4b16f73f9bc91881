using Asl.Distributed.Coordinator.Trials;

namespace Asl.Distributed.Coordinator.Sweeps;

/// <summary>
/// One sweep (key: the sweep id, its spec's name): plans trials, applies its early-stopping rule to each reported
/// epoch, keeps the leaderboard and publishes the sweep's events.
/// </summary>
[Alias("asl.ISweepGrain")]
public interface ISweepGrain : IGrainWithStringKey
{
    /// <summary>Records a trial's epoch and decides whether it goes on (idempotent for a re-delivered epoch).</summary>
    [Alias("OnEpoch")]
    Task<EpochDecision> OnEpoch(int index, int epoch, string metricsJson);

    /// <summary>A trial moved to a new status.</summary>
    [Alias("OnTrialChanged")]
    Task OnTrialChanged(TrialChange change);
}
