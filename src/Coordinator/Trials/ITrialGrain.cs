using Asl.Distributed.Coordinator.Workers;
using Orleans.Concurrency;

namespace Asl.Distributed.Coordinator.Trials;

/// <summary>
/// One trial (key: the trial id). Workers' reports arrive through the API; the registry's news (a gang, a lost
/// worker, a reconnected worker) arrives by one-way calls, and the trial calls its sweep and the registry (awaited),
/// never the other way round, so no call cycle can block.
/// </summary>
[Alias("asl.ITrialGrain")]
public interface ITrialGrain : IGrainWithStringKey
{
    /// <summary>
    /// Stores the trial and queues it for a gang. Called again for a trial that exists (its sweep does so after a
    /// restart, without waiting), it repeats what its last stored transition asked of the registry and the sweep.
    /// </summary>
    [Alias("Create")]
    Task Create(TrialDefinition definition);

    [Alias("Get")]
    Task<TrialRecord> Get();

    /// <summary>Rank 0's report of a finished epoch; the answer says whether it goes on.</summary>
    /// <exception cref="TrialReportRefusedException">The report is not for the current attempt or its rank 0.</exception>
    [Alias("ReportEpoch")]
    Task<EpochDecision> ReportEpoch(string workerId, int attempt, int epoch, string metricsJson, string checkpoint);

    /// <summary>A rank's run ended without error; rank 0's report ends the trial (completed, or stopped early).</summary>
    [Alias("Complete")]
    Task Complete(string workerId, int attempt, bool stoppedEarly, string checkpoint);

    /// <summary>A rank's run failed or was released; ends the attempt and re-queues the trial or fails it.</summary>
    [Alias("Fail")]
    Task Fail(string workerId, int attempt, TrialFailureKind kind, string reason, int exitCode, string checkpoint);

    /// <summary>Stops the trial for good; returns false when it had already ended.</summary>
    [Alias("Cancel")]
    Task<bool> Cancel(string reason);

    [OneWay, Alias("OnGangAllocated")]
    Task OnGangAllocated(int attempt, IReadOnlyList<GangMember> gang);

    [OneWay, Alias("OnWorkerLost")]
    Task OnWorkerLost(string workerId, int attempt, string reason);

    /// <summary>A worker registered again without this attempt among its runs: send its start order again.</summary>
    [OneWay, Alias("Redeliver")]
    Task Redeliver(string workerId, int attempt);
}
