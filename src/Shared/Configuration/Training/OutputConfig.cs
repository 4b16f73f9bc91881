namespace Asl.Distributed.Configuration.Training;

/// <summary>Where a run writes its checkpoints, metrics and summary (config section <c>output</c>).</summary>
public sealed class OutputConfig
{
    /// <summary>The run's folder: last.ckpt, best.ckpt, metrics.jsonl, summary.json, config.yaml.</summary>
    public string Dir { get; set; } = "runs/default";

    internal void Validate(string prefix) => ConfigChecks.Required(Dir, $"{prefix}.dir", "(the run's output folder)");
}
