using Asl.Distributed.Sweeps;

namespace Asl.Distributed.Shared.Tests.Sweeps;

/// <summary>A stored spec (the writer's YAML) reads back to the spec that was stored, and never needs its base file again.</summary>
public sealed class SweepSpecWriterTests
{
    private const string Everything = """
        name: 'null'
        config:
          loss: {preset: asl-coco, clip: 0.07}
          output: {dir: "runs/a b: c"}
          run: {batch_size: 96}
          image: {mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25]}
        search_space:
          loss.gamma_neg: {uniform: [0.5, 6.25]}
          optimizer.lr: {loguniform: [1.0e-5, 0.003]}
          image.randaugment_n: {randint: [0, 15]}
          run.batch_size: {qrandint: [32, 96, 32]}
          loss.preset: {choice: [ASL, focal]}
          image.mean: {grid: [[0.5, 0.5, 0.5], [0.4, 0.45, 0.5]]}
          loss.clip: {choice: [null, 0.05]}
          output.dir: {grid: [runs/x, "runs/y: z", "#x", "it's"]}
        baselines:
          - {loss.preset: bce, seed: -4}
          - {}
        algorithm: {kind: asha, num_trials: 9, reduction_factor: 2.5, grace_period: 2, max_epochs: 12}
        metric: {name: map_ema, mode: min}
        workers_per_trial: 2
        max_concurrent_trials: 5
        max_failures_per_trial: 0
        seed: -9223372036854775808
        """;

    public static TheoryData<string> Specs() => new()
    {
        SpecText.Minimal,
        Everything,
        "name: g\nsearch_space: {loss.preset: {grid: [bce, focal]}, loss.clip: {choice: [0, 0.1]}}\n",
        "name: r\nalgorithm: {kind: random, num_trials: 3}\nsearch_space: {loss.gamma_pos: {uniform: [0, 1]}}\n",
        "name: a\nalgorithm: {kind: asha, max_epochs: 4}\nsearch_space: {loss.gamma_pos: {grid: [0, 1]}}\n",
        File.ReadAllText(Path.Combine(Repository.Root(), "examples", "sweep-shapes-asl.yaml")),
    };

    [Theory]
    [MemberData(nameof(Specs))]
    public void Write_ThenRead_GivesAnEqualSpec(string yaml)
    {
        var spec = SweepSpecReader.Parse(yaml);

        var stored = SweepSpecReader.Parse(SweepSpecWriter.Write(spec));

        Assert.Equal(spec, stored);
        Assert.Equal(TrialPlanner.PlanAll(spec), TrialPlanner.PlanAll(stored));
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void Write_OfAStoredSpec_IsTheSameText(string yaml)
    {
        string text = SweepSpecWriter.Write(SweepSpecReader.Parse(yaml));
        Assert.Equal(text, SweepSpecWriter.Write(SweepSpecReader.Parse(text)));
    }

    [Fact]
    public void Write_SpecWithABaseFile_StoresTheBaseInline()
    {
        string folder = Directory.CreateTempSubdirectory("asl-spec-").FullName;
        SweepSpec spec;
        try
        {
            File.WriteAllText(Path.Combine(folder, "train.yaml"), "optimizer: {lr: 0.0125}\n");
            File.WriteAllText(Path.Combine(folder, "sweep.yaml"), "name: f\nbase: train.yaml\n");
            spec = SweepSpecReader.Load(Path.Combine(folder, "sweep.yaml"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        var stored = SweepSpecReader.Parse(SweepSpecWriter.Write(spec));

        Assert.Equal(spec, stored);
        Assert.Equal(0.0125, TrialPlanner.Resolve(stored, TrialPlanner.Plan(stored, 0)).Optimizer.Lr);
    }

    [Fact]
    public void Write_Everything_KeepsTheTextThatYamlWouldReadOtherwise()
    {
        var stored = SweepSpecReader.Parse(SweepSpecWriter.Write(SweepSpecReader.Parse(Everything)));
        Assert.Equal("null", stored.Name);
        Assert.Equal(["runs/x", "runs/y: z", "'#x'", "it's"], stored.SearchSpace.Single(d => d.Key == "output.dir").Domain.Listed!);
        var planned = TrialPlanner.Plan(stored, 2);
        var withHash = planned with { Settings = [.. planned.Settings.Where(s => s.Key != "output.dir"), KeyValuePair.Create("output.dir", "'#x'")] };
        Assert.Equal("#x", TrialPlanner.Resolve(stored, withHash).Output.Dir);
        Assert.Equal(["null", "0.05"], stored.SearchSpace.Single(d => d.Key == "loss.clip").Domain.Listed!);
    }
}
