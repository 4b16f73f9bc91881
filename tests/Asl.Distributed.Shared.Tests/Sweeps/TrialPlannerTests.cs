using System.Globalization;
using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Losses;
using Asl.Distributed.Sweeps;

namespace Asl.Distributed.Shared.Tests.Sweeps;

/// <summary>Trials as a pure function of the spec and the index: order, counts, seeds and resolved configs.</summary>
public sealed class TrialPlannerTests
{
    private const string RandomSpec = """
        name: r
        seed: 42
        search_space:
          loss.gamma_neg: {uniform: [1, 6]}
          loss.gamma_pos: {choice: [0, 1]}
          optimizer.lr: {loguniform: [0.0001, 0.01]}
          run.batch_size: {qrandint: [16, 64, 16]}
        baselines:
          - {loss.preset: bce}
        algorithm: {kind: random, num_trials: 40}
        """;

    [Fact]
    public void Plan_SameSpecReadTwice_GivesTheSameTrials()
    {
        var first = TrialPlanner.PlanAll(SweepSpecReader.Parse(RandomSpec));
        var second = TrialPlanner.PlanAll(SweepSpecReader.Parse(RandomSpec));
        Assert.Equal(first, second);
    }

    [Fact]
    public void Plan_OneTrialAlone_EqualsThatTrialOfTheWholeList()
    {
        var spec = SweepSpecReader.Parse(RandomSpec);
        var all = TrialPlanner.PlanAll(spec);
        // Backwards, so that no trial could lean on one planned before it.
        for (int i = all.Count - 1; i >= 0; i--)
            Assert.Equal(all[i], TrialPlanner.Plan(spec, i));
    }

    [Fact]
    public void Plan_AnotherSweepSeed_GivesOtherSamplesAndSeeds()
    {
        var spec = SweepSpecReader.Parse(RandomSpec);
        var reseeded = spec with { Seed = 43 };
        var a = TrialPlanner.PlanAll(spec);
        var b = TrialPlanner.PlanAll(reseeded);
        Assert.All(Enumerable.Range(1, a.Count - 1), i => Assert.NotEqual(a[i].Settings[0], b[i].Settings[0]));
        Assert.Equal(a.Count, a.Zip(b).Count(p => p.First.Seed != p.Second.Seed));
    }

    [Fact]
    public void Plan_SeedsAndSamples_MatchAnIndependentPythonDerivation()
    {
        // SplitMix64's output number i of the sweep seed seeds trial i's xoshiro256**: its first output >> 33 is the
        // trial seed, the next one's top 53 bits the uniform draw. Written again in Python from the generators' papers.
        const string Script = """
            import sys
            M = (1 << 64) - 1
            def mix(z):
                z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
                z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
                return z ^ (z >> 31)
            G = 0x9E3779B97F4A7C15
            def rotl(x, k): return ((x << k) | (x >> (64 - k))) & M
            def xoshiro(seed):
                s = [mix((seed + (j + 1) * G) & M) for j in range(4)]
                while True:
                    r = (rotl((s[1] * 5) & M, 7) * 9) & M
                    t = (s[1] << 17) & M
                    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45)
                    yield r
            sweep = int(sys.argv[1]) & M
            for i in range(int(sys.argv[2])):
                g = xoshiro(mix((sweep + (i + 1) * G) & M))
                seed = next(g) >> 33
                u = (next(g) >> 11) * (1.0 / (1 << 53))
                print(seed, repr(1 + u * (6 - 1)))
            """;
        var spec = SweepSpecReader.Parse("name: p\nseed: -7\nsearch_space: {loss.gamma_neg: {uniform: [1, 6]}}\nalgorithm: {kind: random, num_trials: 6}\n");

        var lines = PythonReference.Run(Script, "-7", "6").Split('\n', StringSplitOptions.RemoveEmptyEntries);

        var plans = TrialPlanner.PlanAll(spec);
        Assert.Equal(lines.Length, plans.Count);
        for (int i = 0; i < plans.Count; i++)
        {
            string[] expected = lines[i].Split(' ');
            Assert.Equal(long.Parse(expected[0], CultureInfo.InvariantCulture), plans[i].Seed);
            Assert.Equal(double.Parse(expected[1], CultureInfo.InvariantCulture), double.Parse(plans[i].Settings[0].Value, CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void Plan_Grid_FirstKeyVariesSlowestAfterTheBaselines()
    {
        var spec = SweepSpecReader.Parse("""
            name: g
            search_space:
              loss.preset: {grid: [asl, focal]}
              loss.clip: {choice: [0, 0.05, 0.1]}
            baselines:
              - {loss.preset: bce}
            """);

        var plans = TrialPlanner.PlanAll(spec);

        Assert.Equal(7, TrialPlanner.TrialCount(spec));
        Assert.Equal([true, false, false, false, false, false, false], plans.Select(p => p.IsBaseline));
        Assert.Equal(
            ["loss.preset=bce", "loss.preset=asl loss.clip=0", "loss.preset=asl loss.clip=0.05", "loss.preset=asl loss.clip=0.1",
             "loss.preset=focal loss.clip=0", "loss.preset=focal loss.clip=0.05", "loss.preset=focal loss.clip=0.1"],
            plans.Select(p => p.Describe()));
        Assert.Equal(Enumerable.Range(0, 7), plans.Select(p => p.Index));
    }

    [Fact]
    public void TrialCount_ThreeKeysUnderAshaWithoutNumTrials_IsTheGridsProduct()
    {
        var spec = SweepSpecReader.Parse("""
            name: a
            search_space:
              loss.gamma_neg: {grid: [1, 2, 3, 4]}
              loss.gamma_pos: {grid: [0, 1]}
              loss.clip: {choice: [0, 0.05, 0.1]}
            baselines: [{loss.preset: bce}, {loss.preset: focal}]
            algorithm: {kind: asha, max_epochs: 4}
            """);
        Assert.Equal(2 + (4 * 2 * 3), TrialPlanner.TrialCount(spec));
        Assert.Equal(24, TrialPlanner.PlanAll(spec).Skip(2).Select(p => p.Describe()).Distinct().Count());
    }

    [Fact]
    public void TrialCount_Random_IsNumTrialsAndTheBaselines()
    {
        Assert.Equal(41, TrialPlanner.TrialCount(SweepSpecReader.Parse(RandomSpec)));
    }

    [Fact]
    public void Plan_RandomTrial_SamplesEveryKeyInTheOrderWritten()
    {
        var plan = TrialPlanner.Plan(SweepSpecReader.Parse(RandomSpec), 5);
        Assert.Equal(["loss.gamma_neg", "loss.gamma_pos", "optimizer.lr", "run.batch_size"], plan.Settings.Select(s => s.Key));
        Assert.False(plan.IsBaseline);
    }

    [Fact]
    public void Plan_KeyAddedToTheSpace_LeavesEveryTrialsSeed()
    {
        var narrow = SweepSpecReader.Parse("name: k\nsearch_space: {loss.gamma_neg: {uniform: [1, 6]}}\nalgorithm: {kind: random, num_trials: 20}\n");
        var wide = SweepSpecReader.Parse("name: k\nsearch_space: {loss.gamma_neg: {uniform: [1, 6]}, loss.clip: {uniform: [0, 0.1]}}\nalgorithm: {kind: random, num_trials: 20}\n");
        var a = TrialPlanner.PlanAll(narrow);
        var b = TrialPlanner.PlanAll(wide);
        Assert.Equal(a.Select(p => p.Seed), b.Select(p => p.Seed));
        Assert.Equal(a.Select(p => p.Settings[0]), b.Select(p => p.Settings[0]));
    }

    [Fact]
    public void Plan_SeedSwept_IsTheTrialsSeed()
    {
        var spec = SweepSpecReader.Parse("name: s\nsearch_space: {seed: {grid: [5, -3]}}\n");
        var plans = TrialPlanner.PlanAll(spec);
        Assert.Equal([5L, -3L], plans.Select(p => p.Seed));
        Assert.Equal([5, -3], plans.Select(p => TrialPlanner.Resolve(spec, p).Seed));
    }

    [Fact]
    public void Plan_DerivedSeeds_AreNonNegativeIntsAndDistinct()
    {
        var plans = TrialPlanner.PlanAll(SweepSpecReader.Parse(RandomSpec));
        Assert.All(plans, p => Assert.InRange(p.Seed, 0, int.MaxValue));
        Assert.Equal(plans.Count, plans.Select(p => p.Seed).Distinct().Count());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(41)]
    public void Plan_IndexOutsideTheSweep_Throws(int index)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TrialPlanner.Plan(SweepSpecReader.Parse(RandomSpec), index));
    }

    [Fact]
    public void Resolve_Trial_AppliesItsSettingsAndSeedToTheBase()
    {
        var spec = SweepSpecReader.Parse(RandomSpec.Replace("name: r", "name: r\nconfig: {optimizer: {weight_decay: 0.001}}", StringComparison.Ordinal));
        var plan = TrialPlanner.Plan(spec, 3);

        var config = TrialPlanner.Resolve(spec, plan);

        var settings = plan.Settings.ToDictionary(s => s.Key, s => s.Value);
        Assert.Equal(double.Parse(settings["loss.gamma_neg"], CultureInfo.InvariantCulture), config.Loss.ToOptions().GammaNeg);
        Assert.Equal(double.Parse(settings["optimizer.lr"], CultureInfo.InvariantCulture), config.Optimizer.Lr);
        Assert.Equal(int.Parse(settings["run.batch_size"], CultureInfo.InvariantCulture), config.Run.BatchSize);
        Assert.Equal(0.001, config.Optimizer.WeightDecay);
        Assert.Equal(plan.Seed, config.Seed);
        Assert.Equal((80, 40), (config.Schedule.Epochs, config.Schedule.StopEpoch));
    }

    [Fact]
    public void Resolve_AshaTrial_RunsTheFullScheduleOfMaxEpochs()
    {
        var spec = SweepSpecReader.Parse("name: a\nconfig: {schedule: {epochs: 30, stop_epoch: 20}}\nalgorithm: {kind: asha, max_epochs: 12}\n");
        var config = TrialPlanner.Resolve(spec, TrialPlanner.Plan(spec, 0));
        Assert.Equal((12, 0, 12), (config.Schedule.Epochs, config.Schedule.StopEpoch, config.Schedule.EpochsToRun));
    }

    [Fact]
    public void Resolve_BceBaselineOverAnAslBase_IsPlainBce()
    {
        // The base keeps loss.preset unresolved, so a baseline's preset brings its own γ and clip.
        var spec = SweepSpecReader.Parse("name: b\nconfig: {loss: {preset: asl}}\nbaselines: [{loss.preset: bce}, {loss.preset: focal}]\n");
        var bce = TrialPlanner.Resolve(spec, TrialPlanner.Plan(spec, 0)).Loss.ToOptions();
        var focal = TrialPlanner.Resolve(spec, TrialPlanner.Plan(spec, 1)).Loss.ToOptions();
        var asl = TrialPlanner.Resolve(spec, TrialPlanner.Plan(spec, 2)).Loss.ToOptions();
        Assert.Equal((0.0, 0.0, 0.0), (bce.GammaNeg, bce.GammaPos, bce.Clip));
        Assert.Equal((2.0, 2.0, 0.0), (focal.GammaNeg, focal.GammaPos, focal.Clip));
        Assert.Equal((4.0, 1.0, 0.05), (asl.GammaNeg, asl.GammaPos, asl.Clip));
        Assert.Equal(LossPreset.Bce, TrialPlanner.Resolve(spec, TrialPlanner.Plan(spec, 0)).Loss.Preset);
    }

    [Fact]
    public void Resolve_EveryTrial_PassesTheTrainingConfigsOwnChecks()
    {
        var spec = SweepSpecReader.Parse(RandomSpec);
        Assert.All(TrialPlanner.PlanAll(spec), p => Assert.Empty(TrialPlanner.Resolve(spec, p).Problems()));
    }

    [Fact]
    public void Resolve_ConfigYaml_ReadsBackToTheSameTrial()
    {
        // What a worker receives (the resolved YAML) is the trial itself.
        var spec = SweepSpecReader.Parse(RandomSpec);
        var config = TrialPlanner.Resolve(spec, TrialPlanner.Plan(spec, 7));
        string yaml = TrainingConfigLoader.ToYaml(config);
        Assert.Equal(yaml, TrainingConfigLoader.ToYaml(TrainingConfigLoader.Parse(yaml)));
    }
}
