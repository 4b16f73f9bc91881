using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Training.Collectives;
using Asl.Distributed.Training.Loop;
using Asl.Distributed.Training.Precision;
using Asl.Distributed.Training.Tests.Loop;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Tests.Finalizers;

/// <summary>
/// Issue 15 for float16: the trainer's float16 step with its loss scaler (the scaled loss, unscaling, the non-finite
/// check, a skipped and a taken step) leaves no Scalar and no tensor to a finalizer.
/// </summary>
[Collection(ProcessWideGarbageCollection.Name)]
public sealed class LossScalerFinalizerTests
{
    [Fact]
    public void TrainingSteps_Float16WithLossScaler_LeaveNoHandleToFinalizers()
    {
        var config = TrainingConfigLoader.Parse("", ["run.precision=float16", "run.ema_decay=0.9", "loss.preset=asl", "schedule.epochs=1",
            "schedule.stop_epoch=0", "run.loss_scale_growth_interval=2"]).Validate();
        using var models = TrainingModels.Create(config, () => InMemoryBatches.Mlp(4), ProcessGroup.Single(), Asl.Distributed.Training.Devices.TrainingDevice.Cpu);
        var scaler = models.Scaler!;
        var step = new TrainingStep(models, new StepSchedule(config, 8), ProcessGroup.Single(), config.Run.NanPolicy, TimeProvider.System);
        var batches = new InMemoryBatches(128, 4, 32, dataSeed: 1, orderSeed: 2).Epoch(1, CancellationToken.None).ToArray();
        // First an overflow (skipped), then steps that are taken and, with a growth interval of 2, a growth.
        scaler.Restore(new LossScalerState(MathF.Pow(2, 40), 0));
        using var counter = FinalizedHandleCounter.Start();

        int taken = 0;
        for (int b = 0; b < batches.Length; b++)
        {
            using var scope = NewDisposeScope();
            if (step.Run(batches[b].Images, batches[b].Targets, 1, b + 1, b, CancellationToken.None) is not null)
                taken++;
            if (b == 0)
                scaler.Restore(new LossScalerState(64, 0));
        }
        counter.FinalizeAll();

        Assert.Equal(batches.Length - 1, taken);
        Assert.Equal(128f, scaler.Scale);
        Assert.Equal(0, counter.Scalars);
        Assert.Equal(0, counter.Tensors);
    }
}
