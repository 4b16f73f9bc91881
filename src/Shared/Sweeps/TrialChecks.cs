using Asl.Distributed.Configuration;
using Asl.Distributed.Configuration.Training;

namespace Asl.Distributed.Sweeps;

/// <summary>
/// The last check of a spec: every trial's whole config, as the trial will get it (base, settings, seed, ASHA's
/// epochs), through the training config's own <see cref="TrainingConfig.Problems"/>, and what a sweep adds (the
/// batch split over the trial's workers, an EMA model for map_ema). A problem shared by many trials is reported
/// once, naming the first of them and how many more.
/// </summary>
internal static class TrialChecks
{
    /// <param name="baseField">Where the base came from (<c>config</c>, inline or the defaults; <c>base</c>, a file), for problems no swept key explains.</param>
    public static List<ConfigProblem> Check(SweepSpec spec, string baseField)
    {
        var baseConfig = BaseConfigText.Read(spec.BaseConfig);
        var found = new Dictionary<ConfigProblem, (TrialPlan First, int Count)>();
        var order = new List<ConfigProblem>();
        int count = TrialPlanner.TrialCount(spec);
        for (int index = 0; index < count; index++)
        {
            var plan = TrialPlanner.Plan(spec, index);
            foreach (var problem in ProblemsOf(spec, baseConfig, plan, baseField))
            {
                if (found.TryGetValue(problem, out var seen))
                {
                    found[problem] = (seen.First, seen.Count + 1);
                }
                else
                {
                    found[problem] = (plan, 1);
                    order.Add(problem);
                }
            }
        }
        return order.Select(p => Described(p, found[p].First, found[p].Count)).ToList();
    }

    private static List<ConfigProblem> ProblemsOf(SweepSpec spec, TrainingConfig baseConfig, TrialPlan plan, string baseField)
    {
        TrainingConfig config;
        try
        {
            config = TrialPlanner.Resolve(spec, baseConfig, plan);
        }
        catch (ConfigException e)
        {
            return e.Problems.Select(p => new ConfigProblem(PathOf(spec, plan, p.Key, baseField), $"{p.Key}: {p.Message}")).ToList();
        }
        var problems = new List<ConfigProblem>();
        if (config.Run.BatchSize % spec.WorkersPerTrial != 0)
        {
            problems.Add(new ConfigProblem("workers_per_trial",
                $"{spec.WorkersPerTrial} workers cannot split run.batch_size {config.Run.BatchSize} evenly; allowed: a workers_per_trial that divides run.batch_size"));
        }
        if (spec.Metric.Name == SweepMetricName.MapEma && config.Run.EmaDecay == 0)
        {
            problems.Add(new ConfigProblem("metric.name",
                "map_ema is the EMA model's mAP, but run.ema_decay is 0 (no EMA model); allowed: map or map_best, or a run.ema_decay above 0"));
        }
        return problems;
    }

    private static string PathOf(SweepSpec spec, TrialPlan plan, string key, string baseField)
    {
        if (plan.IsBaseline)
            return $"baselines[{plan.Index}]";
        var swept = spec.SearchSpace.FirstOrDefault(d => key == d.Key || key.StartsWith(d.Key + "[", StringComparison.Ordinal));
        return swept is not null ? $"search_space.{swept.Key}" : baseField == "config" ? $"config.{key}" : baseField;
    }

    private static ConfigProblem Described(ConfigProblem problem, TrialPlan first, int count)
    {
        string settings = first.Settings.Count == 0 ? "the base config" : first.Describe();
        string others = count > 1 ? $" and {count - 1} other trial{(count > 2 ? "s" : "")}" : "";
        return problem with { Message = $"{problem.Message} (in trial {first.Index}: {settings}{others})" };
    }
}
