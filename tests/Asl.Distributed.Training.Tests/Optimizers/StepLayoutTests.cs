using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Training.Collectives;
using Asl.Distributed.Training.Devices;
using Asl.Distributed.Training.Loop;
using Asl.Distributed.Training.Tests.Loop;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Tests.Optimizers;

/// <summary>
/// optimizer.step_layout through the trainer's own models and steps: auto takes the per-parameter step on the CPU
/// (where it is the faster), flat and per-parameter give the same weights bit for bit.
/// </summary>
[Collection(GlobalTorchRandomCollection.Name)]
public sealed class StepLayoutTests
{
    [Theory]
    [InlineData("auto", false)]
    [InlineData("per-parameter", false)]
    [InlineData("flat", true)]
    public void Create_OnTheCpu_StepsFlatOnlyWhenAskedTo(string layout, bool flat)
    {
        using var models = Models(layout);

        Assert.Equal(flat, models.Optimizer.Flat is not null);
    }

    [Fact]
    public void Steps_FlatAndPerParameter_GiveTheSameWeightsBitForBit()
    {
        var flat = TrainedWeights("flat");
        var perParameter = TrainedWeights("per-parameter");

        Assert.Equal(perParameter.Count, flat.Count);
        for (int i = 0; i < flat.Count; i++)
            Assert.True(flat[i].AsSpan().SequenceEqual(perParameter[i]), $"parameter {i} differs");
    }

    private static TrainingModels Models(string layout)
    {
        var config = TrainingConfigLoader.Parse("", ["loss.preset=asl", "optimizer.lr=0.01", "optimizer.weight_decay=0.01", "schedule.epochs=1",
            "schedule.stop_epoch=0", "run.ema_decay=0.9", $"optimizer.step_layout={layout}"]).Validate();
        return TrainingModels.Create(config, () => InMemoryBatches.Mlp(4), ProcessGroup.Single(), TrainingDevice.Cpu);
    }

    private static List<byte[]> TrainedWeights(string layout)
    {
        using var models = Models(layout);
        var config = TrainingConfigLoader.Parse("", ["optimizer.lr=0.01", "schedule.epochs=1", "schedule.stop_epoch=0"]).Validate();
        var step = new TrainingStep(models, new StepSchedule(config, 4), ProcessGroup.Single(), NanPolicy.Fail, TimeProvider.System);
        int batch = 0;
        foreach (var (images, targets) in new InMemoryBatches(64, 4, 16, dataSeed: 1, orderSeed: 2).Epoch(1, CancellationToken.None))
        {
            using var scope = NewDisposeScope();
            Assert.NotNull(step.Run(images, targets, 1, batch + 1, batch, CancellationToken.None));
            batch++;
        }
        return [.. models.Model.parameters().Select(p => p.detach().cpu().bytes.ToArray())];
    }
}
