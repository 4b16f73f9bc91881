using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Contracts.V1;

namespace Asl.Distributed.Worker.Tests.Agent;

/// <summary>
/// A temporary folder holding tiny trials on the synthetic shapes set (an MLP on 32-pixel images, 4 steps of 12 images
/// per epoch: milliseconds an epoch), and the assignments a coordinator would send for them.
/// </summary>
internal sealed class TrialFolder : IDisposable
{
    public TrialFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"asl-agent-{Guid.NewGuid():N}");

    /// <summary>The output folder of <paramref name="trialId"/>.</summary>
    public string Output(string trialId) => System.IO.Path.Combine(Path, "trials", trialId);

    /// <summary>The trial's resolved config, as the coordinator sends it (canonical YAML).</summary>
    public string Config(int epochs, params string[] overrides)
    {
        string yaml = $$"""
            seed: 3
            data:
              kind: synthetic-shapes
              root: {{System.IO.Path.Combine(Path, "shapes")}}
              synthetic: {classes: 4, train_images: 48, val_images: 16, image_size: 32, missing_label_fraction: 0.2}
            model: {name: mlp}
            image: {size: 32, cutout: false, randaugment_n: 0}
            loss: {preset: asl-coco}
            optimizer: {lr: 0.003}
            schedule: {epochs: {{epochs}}, stop_epoch: 0}
            run: {batch_size: 12, ema_decay: 0.9, threads: 1, loader_workers: 1}
            distributed: {timeout_s: 60, rendezvous_timeout_s: 60}
            output: {dir: placeholder}
            """;
        return TrainingConfigLoader.ToYaml(TrainingConfigLoader.Parse(yaml, overrides));
    }

    public TrialAssignment Assignment(string trialId, int epochs, int attempt = 1, string resume = "") => new()
    {
        SweepId = "sweep-1",
        TrialId = trialId,
        Attempt = attempt,
        ConfigYaml = Config(epochs),
        Rank = 0,
        WorldSize = 1,
        OutputDir = Output(trialId),
        ResumeCheckpoint = resume,
    };

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
