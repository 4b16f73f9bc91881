using Asl.Distributed.Configuration;
using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Training.Data;
using Asl.Distributed.Training.Devices;
using Asl.Distributed.Training.Images;
using Asl.Distributed.Training.Loading;
using Asl.Distributed.Training.Loop;
using Asl.Distributed.Training.Telemetry;
using Asl.Distributed.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Runs;

/// <summary>
/// One training run assembled from a config: data sets, loaders with the configured pipeline, the model (with
/// pretrained weights) and the <see cref="Trainer"/>. In a data-parallel group each rank loads its shard:
/// run.batch_size is the global batch, split evenly over the ranks.
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

    /// <summary>
    /// Reads the data, builds loaders and the model factory, and a trainer with <paramref name="services"/> (its
    /// group, logger, clock, observers and stop control).
    /// </summary>
    public static TrainingRun Create(TrainingConfig config, TrainerServices? services = null, CancellationToken cancellationToken = default)
    {
        config.Validate();
        services ??= new TrainerServices();
        var group = services.Group;
        var log = new RunLog(services.Logger);
        int world = group?.WorldSize ?? 1;
        int rank = group?.Rank ?? 0;
        int rankBatch = RankBatchSize(config.Run.BatchSize, world);
        int threads = config.Run.Threads > 0 ? config.Run.Threads : Environment.ProcessorCount;
        torch.set_num_threads(threads);
        // Before any work: a CUDA device that cannot be had is a config error naming run.device.
        services = services with { Device = services.Device ?? DeviceResolver.ForThisProcess(config.Run.Device, rank) };
        if (rank == 0)
            log.Device(services.Device.ToString());
        // On a GPU: its utilisation and memory as metrics (through NVML, from the first such run of the process on).
        if (services.Device.IsCuda)
            DeviceMetrics.EnsureStarted(services.Logger);
        // Rank 0 reads (or generates) the data first, so that ranks sharing a folder never generate it twice at once.
        if (rank > 0)
            group!.BarrierAsync(cancellationToken).GetAwaiter().GetResult();
        var (trainSet, validationSet) = RunDataSets.Load(config.Data, services.Logger, cancellationToken);
        if (rank == 0 && world > 1)
            group!.BarrierAsync(cancellationToken).GetAwaiter().GetResult();
        if (rank == 0)
            log.DataSets(trainSet.Samples.Count, validationSet.Samples.Count, trainSet.ClassCount);

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
            BatchSize = rankBatch,
            WorkerCount = config.Run.LoaderWorkers > 0 ? config.Run.LoaderWorkers : Environment.ProcessorCount,
            PrefetchBatches = config.Run.Prefetch,
            Seed = config.Seed,
            BadSamplePolicy = config.Data.BadRecords == BadRecordHandling.Skip ? BadSamplePolicy.Skip : BadSamplePolicy.Fail,
        };
        var train = new MultiLabelLoader(trainSet, new DistributedSampler(trainSet.Samples.Count, world, rank, seed: config.Seed),
            ImagePipeline.Train(pipeline), loaderOptions);
        // Validation shards are uneven rather than padded: gathered, they are the validation set exactly once.
        var validation = new MultiLabelLoader(validationSet, new DistributedSampler(validationSet.Samples.Count, world, rank, shuffle: false, uneven: world > 1),
            ImagePipeline.Eval(pipeline), loaderOptions);

        int classes = trainSet.ClassCount;
        bool reported = false;
        nn.Module<Tensor, Tensor> CreateModel()
        {
            var model = ModelFactory.Create(config.Model.Name, classes, image.Size);
            if (config.Model.Pretrained is { } path)
            {
                var result = WeightLoader.Load(model, path);
                if (!reported && rank == 0)
                    log.PretrainedWeights(path, result.ToString());
                reported = true;
            }
            return model;
        }

        var trainer = new Trainer(config, CreateModel, new RunData(new LoaderBatches(train), new LoaderBatches(validation), trainSet.ClassNames), services);
        return new TrainingRun(trainer, train, validation, trainSet);
    }

    /// <summary>Each rank's share of the global batch; the error names run.batch_size when it does not divide.</summary>
    public static int RankBatchSize(int globalBatch, int worldSize) => globalBatch % worldSize == 0
        ? globalBatch / worldSize
        : throw new ConfigException("run.batch_size",
            $"{globalBatch} (the global batch) does not split evenly over {worldSize} ranks; allowed: a multiple of {worldSize}");

    public void Dispose()
    {
        _trainLoader.Dispose();
        _validationLoader.Dispose();
    }
}
