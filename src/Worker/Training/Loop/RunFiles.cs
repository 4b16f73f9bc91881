namespace Asl.Distributed.Training.Loop;

/// <summary>The files of one run's output folder.</summary>
public sealed record RunFiles(string Folder)
{
    public string LastCheckpoint => Path.Combine(Folder, "last.ckpt");

    public string BestCheckpoint => Path.Combine(Folder, "best.ckpt");

    public string Metrics => Path.Combine(Folder, "metrics.jsonl");

    public string Summary => Path.Combine(Folder, "summary.json");

    public string Config => Path.Combine(Folder, "config.yaml");
}
