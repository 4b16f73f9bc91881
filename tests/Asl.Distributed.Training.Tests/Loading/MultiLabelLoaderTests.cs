using Asl.Distributed.Training.Images;
using Asl.Distributed.Training.Loading;
using Asl.Distributed.Training.Tests.Collectives;

namespace Asl.Distributed.Training.Tests.Loading;

public sealed class MultiLabelLoaderTests : IDisposable
{
    private readonly LoaderTestData _data = new(23);

    public void Dispose() => _data.Dispose();

    [Fact]
    public void ReadEpoch_OneVersusFourWorkers_GivesIdenticalBatches()
    {
        var one = Read(new LoaderOptions { BatchSize = 4, WorkerCount = 1, PrefetchBatches = 1, Seed = 9 }, epoch: 2);
        var four = Read(new LoaderOptions { BatchSize = 4, WorkerCount = 4, PrefetchBatches = 3, Seed = 9 }, epoch: 2);

        Assert.Equal(one.Count, four.Count);
        for (int b = 0; b < one.Count; b++)
        {
            Assert.Equal(one[b].Indices, four[b].Indices);
            Assert.Equal(one[b].Targets, four[b].Targets);
            Assert.Equal(one[b].Pixels, four[b].Pixels);
        }
    }

    [Fact]
    public void ReadEpoch_EachRow_IsThatSampleThroughThePipelineWithItsOwnRandom()
    {
        var sampler = new DistributedSampler(23, worldSize: 2, rank: 1, shuffle: true, seed: 4);
        sampler.SetEpoch(3);
        var pipeline = LoaderTestData.Pipeline();
        using var loader = new MultiLabelLoader(_data.Dataset, sampler, pipeline, new LoaderOptions { BatchSize = 5, WorkerCount = 3, Seed = 21 });

        var batches = LoaderTestData.ReadAll(loader);

        // Rank 1 of 2 reads 12 samples: batches of 5, 5, 2, in the sampler's order.
        Assert.Equal([5, 5, 2], batches.Select(b => b.Indices.Length));
        Assert.Equal(sampler.GetIndices(), batches.SelectMany(b => b.Indices));
        var expectedPixels = new float[pipeline.OutputLength];
        var expectedTargets = new float[LoaderTestData.ClassCount];
        foreach (var (pixels, targets, indices) in batches)
        {
            for (int row = 0; row < indices.Length; row++)
            {
                int index = indices[row];
                var image = ImageDecoder.Decode(_data.Dataset.Samples[index].ImagePath);
                pipeline.Process(image, SampleRandom.For(21, 3, index), expectedPixels);
                Assert.Equal(expectedPixels, pixels.AsSpan(row * expectedPixels.Length, expectedPixels.Length).ToArray());
                expectedTargets.AsSpan().Clear();
                foreach (int label in _data.Dataset.Samples[index].Labels)
                    expectedTargets[label] = 1;
                Assert.Equal(expectedTargets, targets.AsSpan(row * LoaderTestData.ClassCount, LoaderTestData.ClassCount).ToArray());
            }
        }

        var report = loader.LastEpochReport!;
        Assert.Equal((3, true, 3, 12, 0), (report.Epoch, report.Completed, report.BatchCount, report.SampleCount, report.SkippedCount));
        Assert.Empty(report.FirstSkipped);
    }

    [Fact]
    public void ReadEpoch_NextEpoch_AugmentsDifferently()
    {
        var options = new LoaderOptions { BatchSize = 23, WorkerCount = 2, Seed = 1 };

        var epoch0 = Read(options, epoch: 0, shuffle: false);
        var epoch1 = Read(options, epoch: 1, shuffle: false);

        Assert.Equal(epoch0[0].Indices, epoch1[0].Indices);
        Assert.NotEqual(epoch0[0].Pixels, epoch1[0].Pixels);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 4)]
    [InlineData(3, 2)]
    public async Task ReadEpoch_SlowConsumer_NeverHasMoreThanPrefetchBatchesInFlight(int prefetch, int workerCount)
    {
        const int batchSize = 2, samples = 23;
        var workers = new LoaderWorkers();
        var options = new LoaderOptions
        {
            BatchSize = batchSize,
            WorkerCount = workerCount,
            PrefetchBatches = prefetch,
            SampleStarting = workers.OnSampleStarting,
        };
        using var loader = new MultiLabelLoader(_data.Dataset, new DistributedSampler(samples, shuffle: false), LoaderTestData.Pipeline(), options);

        foreach (var batch in loader.ReadEpoch())
        {
            // Holding batch h, workers may start batches h + 1 … h + prefetch and no further. The consumer holds it
            // until they have started all of those and every worker waits: any start beyond would have happened.
            int h = batch.BatchNumber;
            int allowed = Math.Min(samples, (h + 1 + prefetch) * batchSize);
            await Hang.Guard(workers.StartsReached(allowed), $"the workers reading ahead to batch {h + prefetch}");
            await Hang.Until(() => workers.AllIdle, $"the workers waiting while the consumer holds batch {h}");

            int furthestBatch = workers.Started.Max() / batchSize;
            Assert.True(furthestBatch <= h + prefetch, $"batch {furthestBatch} started while the consumer held {h}");
        }

        Assert.Equal(samples, workers.Started.Length);
        Assert.Equal(prefetch, loader.LastEpochReport!.PeakBatchesInFlight);
    }

    [Fact]
    public void ReadEpoch_DropLastBatch_DropsTheShortTail()
    {
        var batches = Read(new LoaderOptions { BatchSize = 5, WorkerCount = 2, DropLastBatch = true }, epoch: 0);

        Assert.Equal([5, 5, 5, 5], batches.Select(b => b.Indices.Length));
    }

    [Fact]
    public void ToTensors_CopiesPixelsAndTargetsWithBatchShapes()
    {
        using var loader = new MultiLabelLoader(_data.Dataset, new DistributedSampler(23, shuffle: false), LoaderTestData.Pipeline(),
            new LoaderOptions { BatchSize = 3, WorkerCount = 2 });

        var batch = loader.ReadEpoch().First();
        var (pixels, targets) = batch.ToTensors();
        using (pixels)
        using (targets)
        {
            Assert.Equal([3L, 3, 16, 16], pixels.shape);
            Assert.Equal([3L, LoaderTestData.ClassCount], targets.shape);
            Assert.Equal(batch.Pixels.ToArray(), pixels.data<float>().ToArray());
            Assert.Equal(batch.Targets.ToArray(), targets.data<float>().ToArray());
        }
    }

    [Fact]
    public void ReadEpoch_WhileAnotherEpochIsOpen_Throws()
    {
        using var loader = new MultiLabelLoader(_data.Dataset, new DistributedSampler(23), LoaderTestData.Pipeline(), new LoaderOptions { BatchSize = 4, WorkerCount = 1 });
        using var first = loader.ReadEpoch().GetEnumerator();
        Assert.True(first.MoveNext());

        Assert.Throws<InvalidOperationException>(() => loader.ReadEpoch().First());
    }

    [Fact]
    public void Constructor_SamplerOfAnotherLength_Throws()
    {
        Assert.Throws<ArgumentException>(() => new MultiLabelLoader(_data.Dataset, new DistributedSampler(22), LoaderTestData.Pipeline(), new LoaderOptions()));
    }

    [Theory]
    [InlineData(0, 1, 1, "BatchSize")]
    [InlineData(4, 0, 1, "WorkerCount")]
    [InlineData(4, 1, 0, "PrefetchBatches")]
    public void Constructor_InvalidOptions_ThrowsNamingTheField(int batchSize, int workers, int prefetch, string field)
    {
        var options = new LoaderOptions { BatchSize = batchSize, WorkerCount = workers, PrefetchBatches = prefetch };

        var error = Assert.Throws<ArgumentException>(() => new MultiLabelLoader(_data.Dataset, new DistributedSampler(23), LoaderTestData.Pipeline(), options));

        Assert.Contains(field, error.Message);
    }

    private List<(float[] Pixels, float[] Targets, int[] Indices)> Read(LoaderOptions options, int epoch, bool shuffle = true)
    {
        var sampler = new DistributedSampler(23, shuffle: shuffle, seed: 5);
        sampler.SetEpoch(epoch);
        using var loader = new MultiLabelLoader(_data.Dataset, sampler, LoaderTestData.Pipeline(), options);
        return LoaderTestData.ReadAll(loader);
    }
}
