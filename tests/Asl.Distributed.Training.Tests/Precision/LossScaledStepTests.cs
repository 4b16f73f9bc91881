using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Training.Collectives;
using Asl.Distributed.Training.Loop;
using Asl.Distributed.Training.Precision;
using Asl.Distributed.Training.Tests.Loop;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Tests.Precision;

/// <summary>
/// The scaler inside a real float16 <see cref="TrainingStep"/>: a scale large enough to overflow float16 makes the
/// backward pass produce infinite gradients, and that step must leave weights, Adam and the EMA untouched while the
/// scale backs off; the run's NaN policy (fail) is not involved.
/// </summary>
[Collection(GlobalTorchRandomCollection.Name)]
public sealed class LossScaledStepTests
{
    [Fact]
    public void Run_Float16GradientOverflow_SkipsTheStepBitwiseAndHalvesTheScale()
    {
        // A constant schedule: OneCycle would set another learning rate and β1 into Adam's groups for the next step
        // whether or not it is skipped (as PyTorch's scheduler does), and Adam's saved state holds them.
        var config = TrainingConfigLoader.Parse("", ["run.precision=float16", "run.ema_decay=0.9", "loss.preset=asl", "optimizer.lr=0.01",
            "schedule.kind=constant", "schedule.epochs=1", "schedule.stop_epoch=0", "run.nan_policy=fail"]).Validate();
        using var models = TrainingModels.Create(config, () => InMemoryBatches.Mlp(4), ProcessGroup.Single(), Asl.Distributed.Training.Devices.TrainingDevice.Cpu);
        var scaler = Assert.IsType<DynamicLossScaler>(models.Scaler);
        var step = new TrainingStep(models, new StepSchedule(config, 10), ProcessGroup.Single(), config.Run.NanPolicy, TimeProvider.System);
        var batches = new InMemoryBatches(64, 4, 32, dataSeed: 1, orderSeed: 2).Epoch(1, CancellationToken.None).ToArray();

        // A taken step first, so that Adam and the EMA have state to keep. Scale 1 cannot overflow.
        scaler.Restore(new LossScalerState(1, 0));
        using (NewDisposeScope())
            Assert.NotNull(step.Run(batches[0].Images, batches[0].Targets, 1, 1, 0, CancellationToken.None));
        Assert.Equal(new LossScalerState(1, 1), scaler.State);
        var weights = Snapshot(models.Model);
        var ema = Snapshot(models.Ema!.Ema);
        byte[] adam = AdamState(models);

        // 2^40 times a loss gradient of order one is far beyond float16's 65504: every gradient overflows.
        scaler.Restore(new LossScalerState(MathF.Pow(2, 40), 0));
        StepResult? skipped;
        using (NewDisposeScope())
            skipped = step.Run(batches[1].Images, batches[1].Targets, 1, 2, 1, CancellationToken.None);

        Assert.Null(skipped);
        Assert.Equal(new LossScalerState(MathF.Pow(2, 39), 0), scaler.State);
        AssertBitwise(weights, Snapshot(models.Model));
        AssertBitwise(ema, Snapshot(models.Ema.Ema));
        Assert.Equal(adam, AdamState(models));
        Assert.Equal(2, scaler.HostReads); // one per step

        // The same batch at a workable scale is taken and moves the weights: the skip above was the scale's doing.
        scaler.Restore(new LossScalerState(256, 0));
        using (NewDisposeScope())
            Assert.NotNull(step.Run(batches[1].Images, batches[1].Targets, 1, 2, 1, CancellationToken.None));
        Assert.NotEqual(weights[0], Snapshot(models.Model)[0]);
    }

    private static float[][] Snapshot(nn.Module module)
    {
        using var scope = NewDisposeScope();
        return module.parameters().Select(p => p.data<float>().ToArray()).ToArray();
    }

    private static void AssertBitwise(float[][] expected, float[][] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int t = 0; t < expected.Length; t++)
            Assert.Equal(expected[t].Select(BitConverter.SingleToInt32Bits), actual[t].Select(BitConverter.SingleToInt32Bits));
    }

    private static byte[] AdamState(TrainingModels models)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            models.Optimizer.save_state_dict(writer);
        return stream.ToArray();
    }
}
