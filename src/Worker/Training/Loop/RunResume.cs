using Asl.Distributed.Runs;
using System.Text.Json;
using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Training.Losses;
using Asl.Distributed.Training.Precision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Loop;

/// <summary>Restores a run from its last checkpoint so that it continues exactly where it stopped.</summary>
internal static class RunResume
{
    /// <summary>
    /// Loads model, EMA, optimizer, adaptive-asymmetry, loss-scaler and random state; refuses a checkpoint written with another
    /// config; drops metric lines of epochs the checkpoint does not contain (written just before a crash) and
    /// returns the kept ones in <paramref name="history"/>.
    /// </summary>
    public static CheckpointState Restore(RunFiles files, string configYaml, nn.Module model, nn.Module? ema, Adam optimizer,
        AdaptiveAsymmetry? adaptive, DynamicLossScaler? scaler, List<EpochMetrics> history)
    {
        var state = CheckpointFile.ReadState(files.LastCheckpoint);
        if (Identity(state.ConfigYaml) != Identity(configYaml))
            throw new CheckpointException(files.LastCheckpoint,
                "was written by a run with another config (only schedule.stop_epoch and the distributed section may change on resume); resume with the config in config.yaml beside it, or choose a new output.dir");
        state = CheckpointFile.Read(files.LastCheckpoint, model, ema, optimizer);
        if (adaptive is not null && state.AdaptiveAsymmetry is not null)
            adaptive.Restore(AdaptiveAsymmetryState.FromJson(state.AdaptiveAsymmetry));
        // A checkpoint from before the scaler existed has no state: the scaler then starts from run.loss_scale_init.
        if (scaler is not null && state.LossScaler is { } scale)
        {
            try
            {
                scaler.Restore(scale);
            }
            catch (ArgumentException e)
            {
                throw new CheckpointException(files.LastCheckpoint, e.Message, e);
            }
        }
        if (state.TorchRngState.Length > 0)
        {
            using var rng = torch.tensor(Convert.FromBase64String(state.TorchRngState), dtype: ScalarType.Byte);
            torch.set_rng_state(rng);
        }

        if (File.Exists(files.Metrics))
        {
            var kept = File.ReadAllLines(files.Metrics).Where(line => line.Length > 0)
                .Select(line => JsonSerializer.Deserialize<EpochMetrics>(line, RunJson.Options)!)
                .Where(m => m.Epoch <= state.Epoch).ToList();
            history.AddRange(kept);
            File.WriteAllLines(files.Metrics, kept.Select(m => JsonSerializer.Serialize(m, RunJson.Options)));
        }
        return state;
    }

    /// <summary>
    /// The config without its stop epoch and its distributed transport settings: a run stopped at epoch 40 of 80 may be
    /// continued further, on any number of ranks.
    /// </summary>
    private static string Identity(string configYaml)
    {
        var config = TrainingConfigLoader.Parse(configYaml);
        config.Schedule.StopEpoch = 0;
        config.Distributed = new DistributedConfig();
        return TrainingConfigLoader.ToYaml(config);
    }
}
