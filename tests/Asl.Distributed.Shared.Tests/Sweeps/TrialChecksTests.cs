namespace Asl.Distributed.Shared.Tests.Sweeps;

/// <summary>
/// The last check of a spec: every trial's whole config as the trial will get it. A problem names the trial (its
/// settings) and how many more share it, at the path in the spec that explains it.
/// </summary>
public sealed class TrialChecksTests
{
    [Fact]
    public void Trials_BatchNotSplittingOverWorkers_NamesWorkersPerTrial()
    {
        var problem = SpecText.ProblemAt(SpecText.Minimal + "config: {run: {batch_size: 64}}\nworkers_per_trial: 3\n", "workers_per_trial");
        Assert.Contains("3 workers cannot split run.batch_size 64 evenly", problem.Message, StringComparison.Ordinal);
        Assert.Contains("(in trial 0: the base config)", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Trials_MapEmaWithoutEma_NamesTheMetric()
    {
        var problem = SpecText.ProblemAt(SpecText.Minimal + "config: {run: {ema_decay: 0}}\nmetric: {name: map_ema}\n", "metric.name");
        Assert.Contains("allowed: map or map_best, or a run.ema_decay above 0", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Trials_SweptValueConflictingWithTheBase_NameTheTrialsAndTheKey()
    {
        // schedule.stop_epoch defaults to 40, more than the swept schedule.epochs 10 and 20 (trials 0 and 1; 60 is fine).
        var problems = SpecText.Problems(SpecText.Minimal + "search_space: {schedule.epochs: {grid: [10, 20, 60]}}\n");

        Assert.Equal(["config.schedule.stop_epoch", "config.schedule.stop_epoch"], problems.Select(p => p.Key));
        Assert.Contains("schedule.stop_epoch: 40 (its default) is more than schedule.epochs (10); allowed: an integer in [0, 10]", problems[0].Message, StringComparison.Ordinal);
        Assert.Contains("(in trial 0: schedule.epochs=10)", problems[0].Message, StringComparison.Ordinal);
        Assert.Contains("(in trial 1: schedule.epochs=20)", problems[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Trials_SameProblemInManyTrials_IsReportedOnceWithTheCount()
    {
        var problems = SpecText.Problems(SpecText.Minimal + "config: {run: {batch_size: 64}}\nworkers_per_trial: 3\nsearch_space: {loss.gamma_neg: {grid: [1, 2, 3, 4]}}\n");
        var problem = Assert.Single(problems);
        Assert.Contains("(in trial 0: loss.gamma_neg=1 and 3 other trials)", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Trials_MoreThanTenThousand_AreRefused()
    {
        string values = string.Join(", ", Enumerable.Range(0, 30).Select(i => (i * 0.01).ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        var problem = SpecText.ProblemAt(SpecText.Minimal + $"search_space:\n  loss.gamma_neg: {{grid: [{values}]}}\n  loss.gamma_pos: {{grid: [{values}]}}\n  optimizer.weight_decay: {{grid: [{values}]}}\n", "search_space");
        Assert.Contains("gives 27000 combinations and 0 baselines; allowed: at most 10000 trials in all", problem.Message, StringComparison.Ordinal);
    }
}
