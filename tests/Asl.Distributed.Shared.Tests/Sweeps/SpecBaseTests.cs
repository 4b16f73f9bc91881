using Asl.Distributed.Sweeps;

namespace Asl.Distributed.Shared.Tests.Sweeps;

/// <summary>The base training config: a file relative to the spec (base) or inline (config), its problems at their paths.</summary>
public sealed class SpecBaseTests
{
    [Fact]
    public void BaseAndConfig_Both_AllowsOne()
    {
        string folder = Directory.CreateTempSubdirectory("asl-spec-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "train.yaml"), "seed: 1\n");
            var problems = SpecText.Problems(SpecText.Minimal + "base: train.yaml\nconfig: {seed: 2}\n", folder);
            var problem = Assert.Single(problems);
            Assert.Equal("config", problem.Key);
            Assert.Contains("allowed: base (a training config file) or config (the settings inline), or neither", problem.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Base_MissingFile_NamesTheFolderItLookedIn()
    {
        string folder = Directory.CreateTempSubdirectory("asl-spec-").FullName;
        try
        {
            var problem = Assert.Single(SpecText.Problems(SpecText.Minimal + "base: nowhere.yaml\n", folder));
            Assert.Equal("base", problem.Key);
            Assert.Contains($"'nowhere.yaml' does not exist (looked for {Path.Combine(folder, "nowhere.yaml")}", problem.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Base_FileWithABadValue_NamesTheFileAndItsKey()
    {
        string folder = Directory.CreateTempSubdirectory("asl-spec-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "train.yaml"), "loss:\n  gamma_neg: -1\n");
            var problem = Assert.Single(SpecText.Problems(SpecText.Minimal + "base: train.yaml\n", folder));
            Assert.Equal("base", problem.Key);
            Assert.Contains("in 'train.yaml': loss.gamma_neg: -1 is out of range; allowed: a finite number >= 0", problem.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Base_RelativePath_IsReadFromTheSpecsFolder()
    {
        string folder = Directory.CreateTempSubdirectory("asl-spec-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "train.yaml"), "optimizer:\n  lr: 0.003\n");
            File.WriteAllText(Path.Combine(folder, "sweep.yaml"), SpecText.Minimal + "base: train.yaml\n");
            var spec = SweepSpecReader.Load(Path.Combine(folder, "sweep.yaml"));
            Assert.Equal(0.003, TrialPlanner.Resolve(spec, TrialPlanner.Plan(spec, 0)).Optimizer.Lr);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Config_BadValue_IsReportedAtItsPathInTheSpec()
    {
        var problem = SpecText.ProblemAt(SpecText.Minimal + "config:\n  loss:\n    clip: 1\n", "config.loss.clip");
        Assert.Contains("1 is out of range; allowed: a finite number in [0, 1)", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_MisspeltKey_SuggestsTheKey()
    {
        var problem = SpecText.ProblemAt(SpecText.Minimal + "config:\n  loss:\n    gama_neg: 2\n", "config.loss.gama_neg");
        Assert.Contains("did you mean gamma_neg?", problem.Message, StringComparison.Ordinal);
    }
}
