using Asl.Distributed.Configuration;
using Asl.Distributed.Sweeps;

namespace Asl.Distributed.Shared.Tests.Sweeps;

/// <summary>
/// Each kind of bad spec gets a problem at its path in the file, saying what is allowed; every problem comes at once.
/// Domain problems are in <see cref="SearchSpaceProblemsTests"/>.
/// </summary>
public sealed class SweepSpecProblemsTests
{
    [Fact]
    public void Name_Missing_IsRequired()
    {
        var problem = SpecText.ProblemAt("seed: 1\n", "name");
        Assert.Contains("is required; allowed: 1 to 64 letters, digits, '-' or '_'", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("'my sweep'")]
    [InlineData("../escape")]
    [InlineData("[a, b]")]
    [InlineData("''")]
    [InlineData("\"abc\\n\"")]
    public void Name_Unsafe_IsRefused(string name)
    {
        var problem = SpecText.ProblemAt($"name: {name}\n", "name");
        Assert.Contains("is not a safe name; allowed: 1 to 64 letters, digits, '-' or '_'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Name_SixtyFiveCharacters_IsRefusedAndSixtyFourAccepted()
    {
        SpecText.ProblemAt($"name: {new string('a', 65)}\n", "name");
        Assert.Equal(new string('a', 64), SweepSpecReader.Parse($"name: {new string('a', 64)}\n").Name);
    }

    [Fact]
    public void Field_Misspelt_SuggestsTheFieldAndListsAll()
    {
        var problem = SpecText.ProblemAt(SpecText.Minimal + "serch_space: {}\n", "serch_space");
        Assert.Contains("unknown field (did you mean search_space?); allowed: name, base, config, search_space, baselines, algorithm, metric", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Spec_NotYaml_NamesTheLine()
    {
        var error = Assert.Throws<ConfigException>(() => SweepSpecReader.Parse("name: s\nsearch_space: [\n", source: "sweep.yaml"));
        Assert.Equal("sweep.yaml", error.Field);
        Assert.Contains("not valid YAML at line", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Spec_NotAMapping_ListsTheFields()
    {
        var problem = SpecText.ProblemAt("- name: s\n", "spec");
        Assert.Contains("allowed: name, base, config", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AlgorithmKind_Unknown_ListsTheKindsAndNothingElse()
    {
        // The uniform domain and num_trials would be wrong under the default (grid); they are not reported against it.
        var problems = SpecText.Problems(SpecText.Minimal + "algorithm: {kind: hyperband, num_trials: 4}\nsearch_space: {loss.clip: {uniform: [0, 0.1]}}\n");
        var problem = Assert.Single(problems);
        Assert.Equal("algorithm.kind", problem.Key);
        Assert.Contains("'hyperband' is not allowed; allowed: one of: grid, random, asha", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("algorithm: random", "algorithm", "must be a section, for example algorithm: {kind: ...}; allowed keys: kind, num_trials, reduction_factor, grace_period, max_epochs")]
    [InlineData("metric: map", "metric", "must be a section, for example metric: {name: ...}; allowed keys: name, mode")]
    public void Section_WrittenAsOneValue_ShowsItsKeys(string line, string path, string message)
    {
        var problem = SpecText.ProblemAt(SpecText.Minimal + line + "\n", path);
        Assert.StartsWith(message, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_WrittenTwice_IsAYamlError()
    {
        var error = Assert.Throws<ConfigException>(() => SweepSpecReader.Parse("name: s\nsearch_space:\n  loss.clip: {grid: [0]}\n  loss.clip: {grid: [0.1]}\n"));
        Assert.Contains("not valid YAML at line 4, column 3: Duplicate key loss.clip", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AlgorithmKey_Misspelt_SuggestsTheKey()
    {
        var problem = SpecText.ProblemAt(SpecText.Minimal + "algorithm: {kind: asha, max_epochs: 8, reduction_facter: 3}\n", "algorithm.reduction_facter");
        Assert.Contains("did you mean reduction_factor?", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{kind: grid, num_trials: 4}", "algorithm.num_trials", "allowed under grid: kind")]
    [InlineData("{kind: random, num_trials: 4, max_epochs: 8}", "algorithm.max_epochs", "allowed under random: kind, num_trials")]
    [InlineData("{kind: random, num_trials: 4, reduction_factor: 3}", "algorithm.reduction_factor", "allowed under random: kind, num_trials")]
    public void AlgorithmKey_NotUsedByItsKind_IsRefused(string algorithm, string path, string allowed)
    {
        var problem = SpecText.ProblemAt(SpecText.Minimal + $"algorithm: {algorithm}\n", path);
        Assert.Contains($"is not used by algorithm", problem.Message, StringComparison.Ordinal);
        Assert.Contains(allowed, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NumTrials_MissingUnderRandom_IsRequired()
    {
        var problem = SpecText.ProblemAt(SpecText.Minimal + "algorithm: {kind: random}\n", "algorithm.num_trials");
        Assert.Contains("is required by algorithm random; allowed: an integer in [1, 10000]", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NumTrials_Zero_IsOutOfRange()
    {
        var problem = SpecText.ProblemAt(SpecText.Minimal + "algorithm: {kind: random, num_trials: 0}\n", "algorithm.num_trials");
        Assert.Contains("0 is out of range; allowed: an integer in [1, 10000]", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NumTrials_MissingUnderAshaOverARange_IsRequired()
    {
        var problem = SpecText.ProblemAt(SpecText.Minimal + "search_space: {loss.clip: {uniform: [0, 0.1]}}\nalgorithm: {kind: asha, max_epochs: 8}\n", "algorithm.num_trials");
        Assert.Contains("is required by asha over ranges (search_space.loss.clip (uniform))", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("0.5")]
    public void ReductionFactor_NotAboveOne_IsOutOfRange(string value)
    {
        var problem = SpecText.ProblemAt(SpecText.Minimal + $"algorithm: {{kind: asha, max_epochs: 8, reduction_factor: {value}}}\n", "algorithm.reduction_factor");
        Assert.Contains("is out of range; allowed: a finite number in (1, 1000]", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GracePeriod_Zero_IsOutOfRange()
    {
        var problem = SpecText.ProblemAt(SpecText.Minimal + "algorithm: {kind: asha, max_epochs: 8, grace_period: 0}\n", "algorithm.grace_period");
        Assert.Contains("0 is out of range; allowed: an integer in [1, 100000]", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MaxEpochs_MissingUnderAsha_IsRequired()
    {
        var problem = SpecText.ProblemAt(SpecText.Minimal + "algorithm: {kind: asha}\n", "algorithm.max_epochs");
        Assert.Contains("is required by algorithm asha; allowed: an integer in [1, 100000]", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MaxEpochs_BelowGracePeriod_NamesBoth()
    {
        var problem = SpecText.ProblemAt(SpecText.Minimal + "algorithm: {kind: asha, max_epochs: 3, grace_period: 4}\n", "algorithm.max_epochs");
        Assert.Contains("3 is less than algorithm.grace_period (4); allowed: an integer in [4, 100000]", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("name: best_map", "metric.name", "allowed: one of: map, map_ema, map_best")]
    [InlineData("mode: maximum", "metric.mode", "allowed: one of: max, min")]
    public void Metric_Unknown_ListsTheAllowedValues(string field, string path, string allowed)
    {
        var problem = SpecText.ProblemAt(SpecText.Minimal + $"metric: {{{field}}}\n", path);
        Assert.Contains(allowed, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WorkersPerTrial_Zero_IsOutOfRange()
    {
        var problem = SpecText.ProblemAt(SpecText.Minimal + "workers_per_trial: 0\n", "workers_per_trial");
        Assert.Contains("0 is out of range; allowed: an integer in [1, 1024]", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MaxConcurrentTrials_Negative_IsOutOfRange()
    {
        var problem = SpecText.ProblemAt(SpecText.Minimal + "max_concurrent_trials: -1\n", "max_concurrent_trials");
        Assert.Contains("-1 is out of range; allowed: an integer in [0, 100000]", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MaxFailuresPerTrial_Negative_IsOutOfRange()
    {
        var problem = SpecText.ProblemAt(SpecText.Minimal + "max_failures_per_trial: -1\n", "max_failures_per_trial");
        Assert.Contains("-1 is out of range; allowed: an integer in [0, 1000]", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("9223372036854775808")]
    public void Seed_NotA64BitInteger_IsRefused(string seed)
    {
        var problem = SpecText.ProblemAt(SpecText.Minimal + $"seed: {seed}\n", "seed");
        Assert.Contains("is not an integer; allowed: an integer in [-9223372036854775808, 9223372036854775807]", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Baselines_NotAList_ShowsTheForm()
    {
        var problem = SpecText.ProblemAt(SpecText.Minimal + "baselines: {loss.preset: bce}\n", "baselines");
        Assert.Contains("must be a list of settings, each one extra trial; for example - {loss.preset: bce}", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Baseline_NotAMapping_ShowsTheForm()
    {
        var problem = SpecText.ProblemAt(SpecText.Minimal + "baselines: [bce]\n", "baselines[0]");
        Assert.Contains("must map training keys to values", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Baseline_BadValue_ListsTheAllowedValues()
    {
        var problem = SpecText.ProblemAt(SpecText.Minimal + "baselines:\n  - {loss.preset: bce}\n  - {loss.preset: focall}\n", "baselines[1].loss.preset");
        Assert.Contains("'focall' is not allowed; allowed: one of: asl, asl-coco, bce, focal", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Baseline_UnknownKey_SuggestsTheKey()
    {
        var problem = SpecText.ProblemAt(SpecText.Minimal + "baselines:\n  - {loss.presett: bce}\n", "baselines[0].loss.presett");
        Assert.Contains("is not a training key: unknown setting (did you mean preset?)", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Baseline_SetsScheduleEpochsUnderAsha_IsRefused()
    {
        var problem = SpecText.ProblemAt(SpecText.Minimal + "baselines: [{schedule.epochs: 4}]\nalgorithm: {kind: asha, max_epochs: 8}\n", "baselines[0].schedule.epochs");
        Assert.Contains("is set by the sweep under asha", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Spec_ManyProblems_AreAllReportedInOneErrorInFileOrder()
    {
        const string Yaml = """
            name: bad name
            search_space:
              loss.gamma_neg: {uniform: [-1, 6]}
              loss.gama_pos: {grid: [0, 1]}
            baselines:
              - {loss.preset: focall}
            algorithm: {kind: asha, max_epochs: 8, num_trials: 4, reduction_factor: 1}
            metric: {name: accuracy}
            workers_per_trial: 0
            seed: x
            """;

        var problems = SpecText.Problems(Yaml);

        Assert.Equal(
            ["name", "search_space.loss.gamma_neg.uniform[0]", "search_space.loss.gama_pos", "baselines[0].loss.preset",
             "algorithm.reduction_factor", "metric.name", "workers_per_trial", "seed"],
            problems.Select(p => p.Key));
    }

    [Fact]
    public void Problem_InTheFile_EndsWithItsLineAndColumn()
    {
        const string Yaml = """
            name: s
            search_space:
              loss.clip:
                uniform: [0, 1]
            algorithm:
              kind: random
              num_trials: 2
            """;

        var problem = SpecText.ProblemAt(Yaml, "search_space.loss.clip.uniform[1]");

        Assert.EndsWith("(line 4, column 18)", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Problem_OfAMissingField_HasTheLineOfItsSection()
    {
        var problem = SpecText.ProblemAt("name: s\nalgorithm:\n  kind: asha\n", "algorithm.max_epochs");
        Assert.EndsWith("(line 3, column 3)", problem.Message, StringComparison.Ordinal);
    }
}
