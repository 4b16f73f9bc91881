using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Runs;
using Asl.Distributed.Training.Collectives;
using Asl.Distributed.Training.Loop;
using Asl.Distributed.Training.Models;
using Asl.Distributed.Training.Runs;
using Asl.Distributed.Training.Tests.Data;
using Asl.Distributed.Training.Tests.Loop;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Tests.Runs;

/// <summary>
/// A value of a fixed set written in another case, through YAML and through an override, is what runs: the data set
/// read, the schedule's learning rate, the precision of the weights, the NaN and mAP policies, the model, the loss,
/// the transport. (Reading them is tested over every key in the config tests; this is what the trainer does.)
/// </summary>
[Collection(GlobalTorchRandomCollection.Name)]
public sealed class TypedSettingsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void DataKind_Coco_ReadsTheCocoFiles()
    {
        string file = _temp.Write("instances.json", CocoTestFiles.Instances);
        foreach (var config in Both("data.kind", "COCO", $"data.train_annotations={file}", $"data.train_images={_temp.Path}",
            $"data.val_annotations={file}", $"data.val_images={_temp.Path}"))
        {
            var (train, _) = RunDataSets.Load(config.Data, NullLogger.Instance);
            Assert.Equal(["dog", "person", "toothbrush", "car"], train.ClassNames);
        }
    }

    [Fact]
    public void BadRecords_Skip_SkipsABadAnnotationInsteadOfFailing()
    {
        string file = _temp.Write("bad.json", CocoTestFiles.WithAnnotation5("""{"id": 5, "image_id": 100, "category_id": 77}"""));
        foreach (var config in Both("data.bad_records", "SKIP", "data.kind=coco", $"data.train_annotations={file}", $"data.train_images={_temp.Path}",
            $"data.val_annotations={file}", $"data.val_images={_temp.Path}"))
        {
            var (train, _) = RunDataSets.Load(config.Data, NullLogger.Instance);
            Assert.Equal(2, train.Samples.Count);
        }
    }

    [Fact]
    public void VocSplits_ReadTheNamedImageSets()
    {
        string root = VocTestTree.Create(_temp);
        var configs = Both("data.train_split", "Train", "data.kind=voc", $"data.root={root}", "data.val_split=VAL");
        foreach (var config in configs)
        {
            var (train, validation) = RunDataSets.Load(config.Data, NullLogger.Instance);
            Assert.Equal((3, 1), (train.Samples.Count, validation.Samples.Count));
        }
    }

    [Fact]
    public void ModelName_AnyCase_BuildsThatArchitecture()
    {
        foreach (var config in Both("model.name", "SMALL_CNN"))
            Assert.IsType<SmallCnn>(ModelFactory.Create(config.Model.Name, 4, 32));
        foreach (var config in Both("model.name", "ResNet18"))
            Assert.IsType<ResNet>(ModelFactory.Create(config.Model.Name, 4, 32));
    }

    [Fact]
    public void ScheduleKind_OneCycle_SetsTheOneCycleRateAtStepTwo()
    {
        // 20 scheduled epochs of 4 steps (one of them runs): step 2 is early in the warm-up, far from the peak rate.
        foreach (var config in Both("schedule.kind", "OneCycle", "schedule.epochs=20"))
        {
            var observer = new RecordingObserver();
            Train(config, observer);
            var expected = new OneCycleSchedule(config.Optimizer.Lr, 4L * config.Schedule.Epochs, 0.2, 25, 1e4, 0.85, 0.95).LearningRate(1);
            var second = observer.Of<BatchProgress>().First(p => p is { Epoch: 1, Batch: 2 });
            Assert.Equal(expected, second.LearningRate, 15);
            Assert.True(Math.Abs(second.LearningRate - config.Optimizer.Lr) > 1e-4, "a constant rate ran");
        }
    }

    [Fact]
    public void Precision_BFloat16_TrainsThroughALowPrecisionCopy()
    {
        var reference = Weights(Train(Parse("run.precision=float32")));
        foreach (var config in Both("run.precision", "BFloat16"))
        {
            var weights = Weights(Train(config));
            Assert.NotEqual(reference, weights);
            Assert.True(reference.Zip(weights).Max(p => Math.Abs(p.First - p.Second)) < 0.05, "bf16 weights should stay close to fp32's");
        }
    }

    [Fact]
    public void NanPolicy_Skip_SkipsTheNonFiniteStep()
    {
        foreach (var config in Both("run.nan_policy", "SKIP"))
            Assert.Equal(1, Train(config, poisoned: [(1, 2)]).SkippedSteps);
    }

    [Fact]
    public void MapPolicy_CountAsZero_CountsAClassWithoutPositivesAsZero()
    {
        var excluded = Train(Parse("run.map_policy=exclude"), withoutPositives: 3).Epochs[0];
        Assert.True(double.IsNaN(excluded.ClassAp![3]));
        foreach (var config in Both("run.map_policy", "Count-As-Zero"))
        {
            var counted = Train(config, withoutPositives: 3).Epochs[0];
            Assert.Equal(0, counted.ClassAp![3]);
            Assert.Equal(excluded.Map * 3 / 4, counted.Map, 9);
        }
    }

    [Fact]
    public void LossPresetAndReduction_AnyCase_AreTheLossThatTrains()
    {
        foreach (var config in Both("loss.preset", "FOCAL", "loss.reduction=Mean"))
        {
            using var models = TrainingModels.Create(config, () => InMemoryBatches.Mlp(4), ProcessGroup.Single(), Asl.Distributed.Training.Devices.TrainingDevice.Cpu);
            var loss = models.Loss.Options;
            Assert.Equal((2.0, 2.0, 0.0, Asl.Distributed.Losses.LossReduction.Mean), (loss.GammaNeg, loss.GammaPos, loss.Clip, loss.Reduction));
            Assert.True(models.AverageGradients);
        }
    }

    [Fact]
    public void TransportAndCompression_AnyCase_AreWhatTheRanksUse()
    {
        foreach (var config in Both("distributed.transport", "GRPC", "distributed.compression=BFloat16"))
        {
            var options = DistributedSettings.ToOptions(config.Distributed);
            Assert.Equal((RingTransport.Grpc, WireFormat.BFloat16), (options.Transport, options.Format));
        }
    }

    /// <summary>The config with <paramref name="path"/> spelt <paramref name="value"/>, once in the YAML file and once as an override.</summary>
    private TrainingConfig[] Both(string path, string value, params string[] others)
    {
        string[] parts = path.Split('.');
        string yaml = $"{parts[0]}:\n  {parts[1]}: {value}\n";
        return [TrainingConfigLoader.Parse(yaml, Base.Concat(others)), TrainingConfigLoader.Parse("", Base.Concat(others).Append($"{path}={value}"))];
    }

    private TrainingConfig Parse(params string[] overrides) => TrainingConfigLoader.Parse("", Base.Concat(overrides));

    private IEnumerable<string> Base => [$"output.dir={Path.Combine(_temp.Path, $"run-{Guid.NewGuid():N}")}", "schedule.epochs=2", "schedule.stop_epoch=1",
        "optimizer.lr=0.01", "run.ema_decay=0.9", "run.threads=1"];

    private static TrainingSummary Train(TrainingConfig config, RecordingObserver? observer = null, (int, int)[]? poisoned = null, int? withoutPositives = null)
    {
        var train = new InMemoryBatches(128, 4, 32, dataSeed: 5, orderSeed: 6, poisoned: poisoned);
        IEpochBatches val = new InMemoryBatches(64, 4, 32, dataSeed: 5, orderSeed: 7);
        if (withoutPositives is { } k)
            val = new ClassRemoved(val, k);
        return new Trainer(config, () => InMemoryBatches.Mlp(4), RunData.Unnamed(train, val, 4),
            new TrainerServices { Observers = observer is null ? [] : [observer] }).Run(resume: false);
    }

    private static float[] Weights(TrainingSummary summary)
    {
        using var scope = NewDisposeScope();
        var model = InMemoryBatches.Mlp(4);
        CheckpointFile.ReadModel(summary.LastCheckpoint, model);
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        return model.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();
    }

    /// <summary>Validation batches whose class <paramref name="k"/> has no positive label at all.</summary>
    private sealed class ClassRemoved(IEpochBatches inner, int k) : IEpochBatches
    {
        public int BatchesPerEpoch => inner.BatchesPerEpoch;

        public IEnumerable<(Tensor Images, Tensor Targets)> Epoch(int epoch, CancellationToken cancellationToken)
        {
            foreach (var (images, targets) in inner.Epoch(epoch, cancellationToken))
            {
                targets[TensorIndex.Colon, k] = torch.tensor(0f);
                yield return (images, targets);
            }
        }
    }
}
