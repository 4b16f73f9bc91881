using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Sweeps;

namespace Asl.Distributed.Shared.Tests.Sweeps;

/// <summary>What each field is when the spec leaves it out.</summary>
public sealed class SweepSpecDefaultsTests
{
    private static readonly SweepSpec Minimal = SweepSpecReader.Parse(SpecText.Minimal);

    [Fact]
    public void Algorithm_Absent_IsGrid()
    {
        Assert.Equal(new GridAlgorithm(), Minimal.Algorithm);
    }

    [Fact]
    public void Metric_Absent_IsBestMapMaximised()
    {
        Assert.Equal(new SweepMetric(SweepMetricName.MapBest, MetricMode.Max), Minimal.Metric);
    }

    [Fact]
    public void MetricMode_NameOnly_IsMax()
    {
        var spec = SweepSpecReader.Parse(SpecText.Minimal + "metric: {name: map_ema}\n");
        Assert.Equal(new SweepMetric(SweepMetricName.MapEma, MetricMode.Max), spec.Metric);
    }

    [Fact]
    public void WorkersPerTrial_Absent_IsOne()
    {
        Assert.Equal(1, Minimal.WorkersPerTrial);
    }

    [Fact]
    public void MaxConcurrentTrials_Absent_IsZeroForNoLimit()
    {
        Assert.Equal(0, Minimal.MaxConcurrentTrials);
    }

    [Fact]
    public void MaxFailuresPerTrial_Absent_IsThree()
    {
        Assert.Equal(3, Minimal.MaxFailuresPerTrial);
    }

    [Fact]
    public void Seed_Absent_IsZero()
    {
        Assert.Equal(0, Minimal.Seed);
    }

    [Fact]
    public void Seed_AnyLong_IsKept()
    {
        Assert.Equal(long.MinValue, SweepSpecReader.Parse(SpecText.Minimal + $"seed: {long.MinValue}\n").Seed);
        Assert.Equal(long.MaxValue, SweepSpecReader.Parse(SpecText.Minimal + $"seed: {long.MaxValue}\n").Seed);
    }

    [Fact]
    public void SearchSpaceAndBaselines_Absent_AreEmptyAndMakeOneTrialOfTheBase()
    {
        Assert.Empty(Minimal.SearchSpace);
        Assert.Empty(Minimal.Baselines);
        Assert.Equal(1, TrialPlanner.TrialCount(Minimal));
    }

    [Fact]
    public void Base_Absent_IsTheTrainingDefaults()
    {
        var config = TrialPlanner.Resolve(Minimal, TrialPlanner.Plan(Minimal, 0));
        var defaults = new TrainingConfig();
        Assert.Equal(TrainingConfigLoader.ToYaml(TrainingConfigLoader.With(defaults, [KeyValuePair.Create("seed", config.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture))])),
            TrainingConfigLoader.ToYaml(config));
    }

    [Fact]
    public void Asha_OnlyMaxEpochs_TakesRayDefaults()
    {
        var spec = SweepSpecReader.Parse(SpecText.Minimal + "algorithm: {kind: asha, max_epochs: 16}\n");
        Assert.Equal(new AshaAlgorithm(null, 4, 1, 16), spec.Algorithm);
    }

    [Fact]
    public void Settings_Defaults_AreTheOnesTheKeyTableDocuments()
    {
        // The README's table is generated from the same attributes the reader takes its defaults from.
        var table = Asl.Distributed.Configuration.Schema.KeyTable.Text(SweepSettings.Schema);
        Assert.Contains("algorithm.reduction_factor", table, StringComparison.Ordinal);
        Assert.Equal("4", SweepSettings.Schema.Find("algorithm.reduction_factor")!.Default);
        Assert.Equal("1", SweepSettings.Schema.Find("algorithm.grace_period")!.Default);
        Assert.Equal("3", SweepSettings.Schema.Find("max_failures_per_trial")!.Default);
        Assert.Equal("map_best", SweepSettings.Schema.Find("metric.name")!.Default);
    }
}
