using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Losses;
using Asl.Distributed.Sweeps;

namespace Asl.Distributed.Shared.Tests.Sweeps;

/// <summary>The shipped example sweep parses, and its trials are what its comments say.</summary>
public sealed class SweepExampleTests
{
    private static readonly string ExamplePath = Path.Combine(Repository.Root(), "examples", "sweep-shapes-asl.yaml");

    [Fact]
    public void Example_AsShipped_PlansTwoBaselinesAndTenAshaTrials()
    {
        var spec = SweepSpecReader.Load(ExamplePath);

        Assert.Equal("shapes-asl", spec.Name);
        Assert.Equal(new AshaAlgorithm(10, 2, 2, 8), spec.Algorithm);
        Assert.Equal([2.0, 4.0, 8.0], AshaScheduler.For(spec).Milestones);
        Assert.Equal(12, TrialPlanner.TrialCount(spec));
        var configs = TrialPlanner.PlanAll(spec).Select(p => TrialPlanner.Resolve(spec, p)).ToList();
        Assert.Equal((0.0, 0.0, 0.0), Gammas(configs[0]));
        Assert.Equal((2.0, 2.0, 0.0), Gammas(configs[1]));
        foreach (var config in configs)
        {
            Assert.Equal((8, 0), (config.Schedule.Epochs, config.Schedule.StopEpoch));
            Assert.Equal((DataKind.SyntheticShapes, 1000, 64), (config.Data.Kind, config.Data.Synthetic.TrainImages, config.Image.Size));
        }
        foreach (var config in configs.Skip(2))
        {
            var (gammaNeg, gammaPos, clip) = Gammas(config);
            Assert.Equal(LossPreset.Asl, config.Loss.Preset);
            Assert.InRange(gammaNeg, 1, 6);
            Assert.Contains(gammaPos, new[] { 0.0, 1.0 });
            Assert.InRange(clip, 0, 0.1);
        }
        Assert.Equal(12, configs.Select(c => c.Seed).Distinct().Count());
    }

    private static (double, double, double) Gammas(TrainingConfig config)
    {
        var loss = config.Loss.ToOptions();
        return (loss.GammaNeg, loss.GammaPos, loss.Clip);
    }
}
