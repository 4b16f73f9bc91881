using Asl.Distributed.Configuration.Schema;

namespace Asl.Distributed.Configuration.Training;

/// <summary>Where a run writes its checkpoints, metrics and summary (config section <c>output</c>).</summary>
public sealed class OutputConfig
{
    [Setting("The run's folder: last.ckpt, best.ckpt, metrics.jsonl, summary.json, config.yaml.")]
    public string Dir { get; set; } = "runs/default";

    internal void Validate(List<ConfigProblem> problems) =>
        ConfigChecks.Required(problems, Dir, "output.dir", "(the run's output folder)");
}
