using Asl.Distributed.Configuration;
using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Losses;

namespace Asl.Distributed.Shared.Tests.Configuration;

/// <summary>Setting dotted keys on a config (overrides and sweeps alike), and every problem reported at once.</summary>
public sealed class ConfigEditingTests
{
    [Fact]
    public void Parse_SeveralBadValues_ReportsEveryProblemWithItsKey()
    {
        const string yaml = """
            optimizer:
              lr: -1
            run:
              precision: fp8
              batch_size: many
            loss:
              gama_neg: 2
            """;
        var error = Assert.Throws<ConfigException>(() => TrainingConfigLoader.Parse(yaml, ["image.size=8", "schedule.kind=cosine"]));
        Assert.Equal(["optimizer.lr", "run.precision", "run.batch_size", "loss.gama_neg", "image.size", "schedule.kind"], error.Problems.Select(p => p.Key));
        Assert.StartsWith("6 problems:", error.Message);
        Assert.Contains("loss.gama_neg: unknown setting (did you mean gamma_neg?)", error.Message);
    }

    [Fact]
    public void Validate_ProgrammaticConfig_ChecksRangesAndConflictsTogether()
    {
        var config = new TrainingConfig();
        config.Optimizer.Lr = double.NaN;
        config.Image.Mean = [0.5];
        config.Distributed.TlsCert = "rank.pem";
        var error = Assert.Throws<ConfigException>(() => config.Validate());
        Assert.Equal(["optimizer.lr", "image.mean", "distributed.tls_cert"], error.Problems.Select(p => p.Key));
    }

    [Fact]
    public void Parse_DefaultStopEpochBeyondSetEpochs_SaysItIsTheDefaultAndWhatItConflictsWith()
    {
        var error = Assert.Throws<ConfigException>(() => TrainingConfigLoader.Parse("", ["schedule.epochs=1"]));
        Assert.Equal("schedule.stop_epoch: 40 (its default) is more than schedule.epochs (1); allowed: an integer in [0, 1] (0 runs every epoch)", error.Message);
    }

    [Fact]
    public void Set_OneKey_ReturnsOnlyThatKeysProblems()
    {
        var config = new TrainingConfig();
        Assert.Empty(config.Set("loss.gamma_neg", "2.5"));
        Assert.Equal(2.5, config.Loss.GammaNeg);
        var problem = Assert.Single(config.Set("loss.clip", "1"));
        Assert.Equal("loss.clip", problem.Key);
        Assert.Equal(0.05, config.Loss.ToOptions().Clip);
        Assert.Equal("loss.gamma_neg.x", Assert.Single(new TrainingConfig().Set("loss.gamma_neg.x", "1")).Key[..14] + ".x");
    }

    [Fact]
    public void With_SweptValues_CopiesSetsAndValidatesLeavingTheBaseAlone()
    {
        var baseConfig = TrainingConfigLoader.Parse("loss:\n  preset: asl-coco\n");
        var trial = TrainingConfigLoader.With(baseConfig, [new("loss.preset", "FOCAL"), new("optimizer.lr", "3e-4"), new("loss.adaptive", "{}")]);

        var loss = trial.Loss.ToOptions();
        Assert.Equal((2.0, 2.0, 0.0), (loss.GammaNeg, loss.GammaPos, loss.Clip));
        Assert.Equal(3e-4, trial.Optimizer.Lr);
        Assert.NotNull(loss.Adaptive);
        Assert.Equal(LossPreset.AslCoco, baseConfig.Loss.Preset);
        Assert.Equal(1e-4, baseConfig.Optimizer.Lr);
    }

    [Fact]
    public void With_SeveralBadSweptValues_ReportsAllOfThemAtOnce()
    {
        var error = Assert.Throws<ConfigException>(() => TrainingConfigLoader.With(new TrainingConfig(),
            [new("loss.gamma_neg", "-1"), new("loss.clip", "NaN"), new("optimizer.learning_rate", "1")]));
        Assert.Equal(["loss.gamma_neg", "loss.clip", "optimizer.learning_rate"], error.Problems.Select(p => p.Key));
    }

    [Fact]
    public void ToYaml_RecordsTheResolvedLossAndReadsBackToTheSameRun()
    {
        var config = TrainingConfigLoader.Parse("loss:\n  preset: Focal\n  gamma_neg: 3\n");
        string yaml = TrainingConfigLoader.ToYaml(config);
        Assert.Contains("preset: focal\n", yaml);
        Assert.Contains("gamma_neg: 3\n", yaml);
        Assert.Contains("gamma_pos: 2\n", yaml);
        Assert.Contains("reduction: sum\n", yaml);
        Assert.Equal(config.Loss.ToOptions(), TrainingConfigLoader.Parse(yaml).Loss.ToOptions());
        Assert.Equal(yaml, TrainingConfigLoader.ToYaml(TrainingConfigLoader.Parse(yaml)));
    }

    [Fact]
    public void AdaptiveSection_NullTurnsItOff()
    {
        var config = TrainingConfigLoader.Parse("loss:\n  adaptive:\n    lambda: 0.5\n", ["loss.adaptive=null"]);
        Assert.Null(config.Loss.Adaptive);
        Assert.Contains("adaptive: null", TrainingConfigLoader.ToYaml(config));
    }
}
