using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Training.Data;
using Asl.Distributed.Training.Images;
using Asl.Distributed.Training.Loading;
using Asl.Distributed.Training.Loop;
using Asl.Distributed.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Runs;

/// <summary>
/// One single-worker training run assembled from a config: data sets, loaders with the configured pipeline, the
/// model (with pretrained weights) and the <see cref="Trainer"/>.
/// </summary>
public sealed class TrainingRun : IDisposable
{
    private readonly MultiLabelLoader _trainLoader;
    private readonly MultiLabelLoader _validationLoader;

    private TrainingRun(Trainer trainer, MultiLabelLoader train, MultiLabelLoader validation, MultiLabelDataset trainSet)
    {
        Trainer = trainer;
        _trainLoader = train;
        _validationLoader = validation;
        TrainSet = trainSet;
    }

    public Trainer Trainer { get; }

    public MultiLabelDataset TrainSet { get; }

    /// <summary>Reads the data, builds loaders and the model factory; <paramref name="log"/> gets progress and notes.</summary>
    public static TrainingRun Create(TrainingConfig config, TextWriter log, CancellationToken cancellationToken = default)
    {
        config.Validate();
        int threads = config.Run.Threads > 0 ? config.Run.Threads : Environment.ProcessorCount;
        torch.set_num_threads(threads);
        var (trainSet, validationSet) = RunDataSets.Load(config.Data, log, cancellationToken);
        log.WriteLine($"data: {trainSet.Samples.Count} training and {validationSet.Samples.Count} validation images, {trainSet.ClassCount} classes");

        var image = config.Image;
        var pipeline = new ImagePipelineOptions
        {
            ImageSize = image.Size,
            Cutout = image.Cutout,
            RandAugmentOps = image.RandaugmentN,
            RandAugmentMagnitude = image.RandaugmentM,
            HorizontalFlip = image.Flip,
            Mean = image.Mean.Count == 0 ? null : image.Mean.Select(v => (float)v).ToArray(),
            Std = image.Std.Count == 0 ? null : image.Std.Select(v => (float)v).ToArray(),
        };
        var loaderOptions = new LoaderOptions
        {
            BatchSize = config.Run.BatchSize,
            WorkerCount = config.Run.LoaderWorkers > 0 ? config.Run.LoaderWorkers : Environment.ProcessorCount,
            PrefetchBatches = config.Run.Prefetch,
            Seed = config.Seed,
            BadSamplePolicy = config.Data.BadRecords == "skip" ? BadSamplePolicy.Skip : BadSamplePolicy.Fail,
        };
        var train = new MultiLabelLoader(trainSet, new DistributedSampler(trainSet.Samples.Count, seed: config.Seed),
            ImagePipeline.Train(pipeline), loaderOptions);
        var validation = new MultiLabelLoader(validationSet, new DistributedSampler(validationSet.Samples.Count, shuffle: false),
            ImagePipeline.Eval(pipeline), loaderOptions);

        int classes = trainSet.ClassCount;
        bool reported = false;
        nn.Module<Tensor, Tensor> CreateModel()
        {
            var model = ModelFactory.Create(config.Model.Name, classes, image.Size);
            if (config.Model.Pretrained is { } path)
            {
                var result = WeightLoader.Load(model, path);
                if (!reported)
                    log.WriteLine($"weights from {path}: {result}");
                reported = true;
            }
            return model;
        }

        var trainer = new Trainer(config, CreateModel, new LoaderBatches(train), new LoaderBatches(validation), classes, log);
        return new TrainingRun(trainer, train, validation, trainSet);
    }

    public void Dispose()
    {
        _trainLoader.Dispose();
        _validationLoader.Dispose();
    }
}
