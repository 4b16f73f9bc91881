using System.Text.Json;
using Asl.Distributed.Contracts;
using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Coordinator.Telemetry;
using Asl.Distributed.Coordinator.Trials;
using Asl.Distributed.Runs;
using EpochMetrics = Asl.Distributed.Runs.EpochMetrics;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Asl.Distributed.Coordinator.Sweeps;

/// <summary>
/// A sweep: creates its trials (at most max_concurrent_trials unfinished at once), answers each epoch report with
/// its early-stopping rule, keeps the best trial and writes the sweep's events. Every decision is stored before it
/// is answered, and stored decisions are answered again unchanged, so a restart never takes one back.
/// </summary>
public sealed class SweepGrain(
    [PersistentState("sweep")] IPersistentState<SweepRecord> state,
    ISweepPlanner planner,
    ISweepEventLog events,
    IOptions<SweepOptions> options,
    TimeProvider time,
    CoordinatorMetrics metrics,
    SweepTraces traces,
    ILogger<SweepGrain> logger) : Grain, ISweepGrain
{
    private readonly SweepLog _log = new(logger);
    private ISweepPlan? _plan;

    private SweepRecord Record => state.State;
    private string SweepId => this.GetPrimaryKeyString();
    private ISweepPlan Plan => _plan ??= planner.Parse(Record.SpecYaml);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Record.Trials.Count > 0)
            metrics.SweepTrials(SweepId, Record.Trials.Select(t => t.Status));
        return Task.CompletedTask;
    }

    /// <summary>Writes the record, then reports its trials' states to the metrics.</summary>
    private async Task Store()
    {
        await state.WriteStateAsync();
        metrics.SweepTrials(SweepId, Record.Trials.Select(t => t.Status));
    }

    public async Task<SubmitOutcome> Submit(string specYaml)
    {
        if (Record.SpecYaml.Length > 0)
        {
            if (Record.SpecYaml != specYaml)
                throw new SweepConflictException($"sweep '{SweepId}' exists with a different spec; give the new spec another name, or submit the stored one to go on with it");
            await Resume();
            return new SubmitOutcome(true, Record.TrialCount);
        }
        var plan = planner.Parse(specYaml);
        _plan = plan;
        Record.SpecYaml = specYaml;
        Record.Status = SweepStatus.Running;
        Record.Created = time.GetUtcNow();
        Record.TrialCount = plan.TrialCount;
        Record.Maximize = plan.Maximize;
        Record.TraceContext = traces.SweepStarted(SweepId, plan.TrialCount);
        await Store();
        _log.Submitted(SweepId, plan.TrialCount);
        await PlanMore();
        return new SubmitOutcome(false, Record.TrialCount);
    }

    public async Task Resume()
    {
        if (Record.Status == SweepStatus.Cancelled)
        {
            // The trials hear of a cancellation without the sweep waiting for them; one cut short by a kill hears again.
            foreach (var entry in Record.Trials.Where(t => !t.Status.HasEnded()))
                GrainFactory.GetGrain<ITrialGrain>(entry.TrialId).Cancel("the sweep was cancelled").Ignore();
            return;
        }
        if (Record.Status != SweepStatus.Running)
            return;
        // Create is idempotent: a trial whose creation was cut short by a kill is created now.
        foreach (var entry in Record.Trials.Where(t => !t.Status.HasEnded()))
            GrainFactory.GetGrain<ITrialGrain>(entry.TrialId).Create(Definition(entry.Index, entry.TrialId)).Ignore();
        await PlanMore();
    }

    public Task<SweepRecord> Get() => Task.FromResult(Record);

    public async Task<int> Cancel()
    {
        if (Record.Status != SweepStatus.Running)
            return 0;
        Record.Status = SweepStatus.Cancelled;
        Record.Ended = time.GetUtcNow();
        await Store();
        var open = Record.Trials.Where(t => !t.Status.HasEnded()).ToList();
        foreach (var entry in open)
            GrainFactory.GetGrain<ITrialGrain>(entry.TrialId).Cancel("the sweep was cancelled").Ignore();
        // The sweep's end is announced when its last trial has ended (OnTrialChanged), so a watcher that sees it
        // knows that nothing of the sweep runs or waits any more.
        if (open.Count == 0)
            await AppendEnded();
        _log.Cancelled(SweepId, open.Count);
        return open.Count;
    }

    public async Task<EpochDecision> OnEpoch(int index, int epoch, string metricsJson)
    {
        var entry = Record.Trials[index];
        var metrics = JsonSerializer.Deserialize<EpochMetrics>(metricsJson, RunJson.Options)
            ?? throw new ArgumentException("epoch metrics JSON is null", nameof(metricsJson));
        double value = Plan.MetricOf(metrics);
        if (entry.Decisions.TryGetValue(epoch, out bool known))
            return new EpochDecision(known, known ? "" : "stopped at this epoch before", value);

        var decision = new EpochDecision(true, "", value);
        if (Record.Status == SweepStatus.Cancelled)
        {
            decision = new EpochDecision(false, "the sweep was cancelled", value);
        }
        else if (Plan.AtRung(Record.Rungs, index, epoch, value) is { } rung)
        {
            Record.Rungs.Add(new RungRecord(rung.Rung, index, value, rung.Continue));
            decision = new EpochDecision(rung.Continue, rung.Reason, value);
        }
        entry.Decisions[epoch] = decision.Proceed;
        if (!double.IsNaN(value) && (double.IsNaN(entry.BestMetric) || Better(value, entry.BestMetric)))
            entry.BestMetric = value;
        Record.TotalEpochs++;
        await Store();
        await events.Append(SweepId, new SweepEvent { TrialId = entry.TrialId, Epoch = metrics.ToMessage(), Time = Now() });
        return decision;
    }

    public async Task OnTrialChanged(TrialChange change)
    {
        var entry = Record.Trials[change.Index];
        if (entry.Status == change.Status)
            return;
        bool endedNow = !entry.Status.HasEnded() && change.Status.HasEnded();
        entry.Status = change.Status;
        await Store();
        await events.Append(SweepId, new SweepEvent
        {
            TrialId = change.TrialId,
            Time = Now(),
            StateChanged = new TrialStateChanged { State = change.Status.ToMessage(), Reason = change.Reason, Attempt = change.Attempt },
        });
        if (endedNow && Record.Status == SweepStatus.Cancelled && Record.Trials.All(t => t.Status.HasEnded()))
            await AppendEnded();
        else if (endedNow)
            await PlanMore();
    }

    /// <summary>Creates trials while there is room; finishes the sweep when every trial has ended.</summary>
    private async Task PlanMore()
    {
        if (Record.Status != SweepStatus.Running)
            return;
        var plan = Plan;
        int open = Record.Trials.Count(t => !t.Status.HasEnded());
        var created = new List<SweepTrialEntry>();
        while (Record.Trials.Count < Record.TrialCount && (plan.MaxConcurrentTrials == 0 || open < plan.MaxConcurrentTrials))
        {
            var entry = new SweepTrialEntry { Index = Record.Trials.Count, TrialId = TrialIds.Of(SweepId, Record.Trials.Count) };
            Record.Trials.Add(entry);
            created.Add(entry);
            open++;
        }
        if (created.Count == 0 && open == 0 && Record.Trials.Count == Record.TrialCount)
        {
            Record.Status = SweepStatus.Finished;
            Record.Ended = time.GetUtcNow();
            await Store();
            await AppendEnded();
            _log.Finished(SweepId, Record.TotalEpochs);
            return;
        }
        if (created.Count == 0)
            return;
        await Store();
        // One after another, so the registry queues them in index order. Safe to await: a trial being created has
        // no call to this sweep in flight (it has never run), so no cycle can form.
        foreach (var entry in created)
            await GrainFactory.GetGrain<ITrialGrain>(entry.TrialId).Create(Definition(entry.Index, entry.TrialId));
    }

    private TrialDefinition Definition(int index, string trialId)
    {
        string outputDir = Path.Combine(options.Value.TrialsDirectory, SweepId, trialId);
        var trial = Plan.Trial(index, outputDir);
        return new TrialDefinition(SweepId, index, trial.ConfigYaml, trial.Settings, trial.Seed, trial.IsBaseline,
            Plan.WorkersPerTrial, Plan.MaxFailuresPerTrial, outputDir, Record.TraceContext);
    }

    private Task AppendEnded()
    {
        var best = Best();
        traces.SweepEnded(SweepId, Record.Status.ToString().ToLowerInvariant());
        return events.Append(SweepId, new SweepEvent
        {
            Time = Now(),
            SweepEnded = new SweepEnded
            {
                State = Record.Status == SweepStatus.Cancelled ? SweepState.Cancelled : SweepState.Finished,
                BestTrialId = best?.TrialId ?? "",
                BestMetric = best?.BestMetric ?? double.NaN,
            },
        });
    }

    /// <summary>The trial with the best metric so far, or null before any epoch.</summary>
    private SweepTrialEntry? Best() => Leaderboard.Best(Record.Trials, Record.Maximize);

    private bool Better(double value, double than) => Record.Maximize ? value > than : value < than;

    private Timestamp Now() => Timestamp.FromDateTimeOffset(time.GetUtcNow());
}
