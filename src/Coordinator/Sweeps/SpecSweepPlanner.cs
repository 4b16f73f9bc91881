using System.Globalization;
using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Sweeps;
using EpochMetrics = Asl.Distributed.Runs.EpochMetrics;

namespace Asl.Distributed.Coordinator.Sweeps;

/// <summary>Plans from sweep specs (Shared's reader, trial planner and ASHA rule).</summary>
public sealed class SpecSweepPlanner : ISweepPlanner
{
    public ISweepPlan Parse(string specYaml) => new SpecPlan(SweepSpecReader.Parse(specYaml));

    private sealed class SpecPlan(SweepSpec spec) : ISweepPlan
    {
        private readonly AshaScheduler? _asha = spec.Algorithm is AshaAlgorithm ? AshaScheduler.For(spec) : null;

        public string Name => spec.Name;
        public string CanonicalYaml { get; } = SweepSpecWriter.Write(spec);
        public int TrialCount { get; } = TrialPlanner.TrialCount(spec);
        public int WorkersPerTrial => spec.WorkersPerTrial;
        public int MaxConcurrentTrials => spec.MaxConcurrentTrials;
        public int MaxFailuresPerTrial => spec.MaxFailuresPerTrial;
        public bool Maximize => spec.Metric.Mode == MetricMode.Max;

        public PlannedTrial Trial(int index, string outputDir)
        {
            var plan = TrialPlanner.Plan(spec, index);
            var config = TrainingConfigLoader.With(TrialPlanner.Resolve(spec, plan), [KeyValuePair.Create("output.dir", outputDir)]);
            return new PlannedTrial(plan.Settings.ToDictionary(s => s.Key, s => s.Value), plan.Seed, plan.IsBaseline, TrainingConfigLoader.ToYaml(config));
        }

        public double MetricOf(EpochMetrics metrics) => spec.Metric.ValueOf(metrics);

        public RungOutcome? AtRung(IReadOnlyList<RungRecord> recorded, int index, int epoch, double value)
        {
            if (_asha is null)
                return null;
            var records = recorded.Select(r => new AshaRecord(r.Rung, r.Index, r.Value)).ToList();
            var decision = _asha.Decide(records, index, epoch, value);
            if (decision.Record is not { } record)
                return null;
            bool proceed = decision.Action != AshaAction.Stop;
            string reason = proceed ? "" : decision.Cutoff is { } cutoff
                ? string.Create(CultureInfo.InvariantCulture, $"ASHA: {value:0.###} at rung {record.Rung} (epoch {_asha.Milestones[record.Rung]:0.##}) is below the cutoff {cutoff:0.###}")
                : string.Create(CultureInfo.InvariantCulture, $"ASHA: the metric at rung {record.Rung} (epoch {_asha.Milestones[record.Rung]:0.##}) is not a number");
            return new RungOutcome(record.Rung, proceed, reason);
        }
    }
}
