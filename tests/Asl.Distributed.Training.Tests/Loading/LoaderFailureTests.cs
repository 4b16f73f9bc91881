using Asl.Distributed.Training.Data;
using Asl.Distributed.Training.Images;
using Asl.Distributed.Training.Loading;
using Asl.Distributed.Training.Tests.Collectives;

namespace Asl.Distributed.Training.Tests.Loading;

public sealed class LoaderFailureTests : IDisposable
{
    // 12 samples, read in order in batches of 4: sample 5 (batch 1) is missing, sample 9 (batch 2) is truncated.
    private readonly LoaderTestData _data = new(12, missing: [5], corrupt: [9]);

    public void Dispose() => _data.Dispose();

    [Fact]
    public void ReadEpoch_MissingFileUnderFail_ThrowsNamingFileAndRecordAfterTheGoodBatches()
    {
        using var loader = Loader(BadSamplePolicy.Fail, workers: 3);
        var delivered = new List<int>();

        var error = Assert.Throws<SampleLoadException>(() =>
        {
            foreach (var batch in loader.ReadEpoch())
                delivered.Add(batch.BatchNumber);
        });

        string path = _data.Dataset.Samples[5].ImagePath;
        Assert.Equal([0], delivered);
        Assert.Equal((5, path, "line 6"), (error.SampleIndex, error.ImagePath, error.Record));
        Assert.Contains(path, error.Message);
        Assert.Contains("line 6", error.Message);
        Assert.IsType<ImageDecodeException>(error.InnerException);
        Assert.False(loader.LastEpochReport!.Completed);
    }

    [Fact]
    public void ReadEpoch_CorruptFileUnderFail_ThrowsNamingTheFile()
    {
        var dataset = _data.Dataset with { Samples = _data.Dataset.Samples.Where((_, i) => i != 5).ToArray() };
        using var loader = new MultiLabelLoader(dataset, new DistributedSampler(11, shuffle: false), LoaderTestData.Pipeline(),
            new LoaderOptions { BatchSize = 4, WorkerCount = 2 });

        var error = Assert.Throws<SampleLoadException>(() => LoaderTestData.ReadAll(loader));

        Assert.Equal(_data.Dataset.Samples[9].ImagePath, error.ImagePath);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void ReadEpoch_UnderSkip_DropsBadSamplesShortensTheirBatchesAndReportsThem()
    {
        using var loader = Loader(BadSamplePolicy.Skip, workers: 4);

        var batches = LoaderTestData.ReadAll(loader);

        Assert.Equal([[0, 1, 2, 3], [4, 6, 7], [8, 10, 11]], batches.Select(b => b.Indices));
        // Rows after a skipped one moved up: row 1 of batch 1 is sample 6 itself, not a stale copy.
        var pipeline = LoaderTestData.Pipeline();
        var expected = new float[pipeline.OutputLength];
        pipeline.Process(ImageDecoder.Decode(_data.Dataset.Samples[6].ImagePath), SampleRandom.For(0, 0, 6), expected);
        Assert.Equal(expected, batches[1].Pixels.AsSpan(expected.Length, expected.Length).ToArray());

        var report = loader.LastEpochReport!;
        Assert.True(report.Completed);
        Assert.Equal((3, 10, 2), (report.BatchCount, report.SampleCount, report.SkippedCount));
        Assert.Equal([_data.Dataset.Samples[5].ImagePath, _data.Dataset.Samples[9].ImagePath], report.FirstSkipped.Select(s => s.ImagePath));
        Assert.Equal(["line 6", "line 10"], report.FirstSkipped.Select(s => s.Record));
        Assert.Contains("does not exist", report.FirstSkipped[0].Reason);
    }

    [Fact]
    public void ReadEpoch_UnderSkipWithLimit_CountsAllButListsOnlyTheFirst()
    {
        using var loader = Loader(BadSamplePolicy.Skip, workers: 2, reportLimit: 1);

        LoaderTestData.ReadAll(loader);

        Assert.Equal(2, loader.LastEpochReport!.SkippedCount);
        Assert.Equal(5, Assert.Single(loader.LastEpochReport.FirstSkipped).SampleIndex);
    }

    [Fact]
    public void ReadEpoch_BatchOfOnlyBadSamplesUnderSkip_IsNotDelivered()
    {
        using var loader = new MultiLabelLoader(_data.Dataset, new DistributedSampler(12, shuffle: false), LoaderTestData.Pipeline(),
            new LoaderOptions { BatchSize = 1, WorkerCount = 2, BadSamplePolicy = BadSamplePolicy.Skip });

        var batches = LoaderTestData.ReadAll(loader);

        Assert.Equal(10, batches.Count);
        Assert.DoesNotContain(batches, b => b.Indices.Length == 0);
    }

    [Fact]
    public void ReadEpoch_ErrorOtherThanDecodingUnderSkip_StillFailsNamingTheFile()
    {
        // A label beyond the class list is a reader bug, not bad image data: it is never skipped.
        var samples = _data.Dataset.Samples.ToArray();
        samples[2] = samples[2] with { Labels = [LoaderTestData.ClassCount] };
        using var loader = new MultiLabelLoader(_data.Dataset with { Samples = samples }, new DistributedSampler(12, shuffle: false),
            LoaderTestData.Pipeline(), new LoaderOptions { BatchSize = 4, WorkerCount = 2, BadSamplePolicy = BadSamplePolicy.Skip });

        var error = Assert.Throws<SampleLoadException>(() => LoaderTestData.ReadAll(loader));

        Assert.Equal((2, "line 3"), (error.SampleIndex, error.Record));
        Assert.IsType<IndexOutOfRangeException>(error.InnerException);
    }

    [Fact]
    public async Task ReadEpoch_CancelledAfterTheFirstBatch_ThrowsAndStopsTheWorkers()
    {
        // The prefetch window spans the whole epoch, so only the stop keeps the workers from reading all 12 samples.
        // They are held at the start of every sample after batch 0 until the cancelled epoch has returned: each has
        // claimed at most one sample by then (positions 2 and 3), and must start none after.
        var workers = new LoaderWorkers(holdAt: position => position >= 2);
        using var cancellation = new CancellationTokenSource();
        using var loader = new MultiLabelLoader(_data.Dataset, new DistributedSampler(12, shuffle: false), LoaderTestData.Pipeline(),
            new LoaderOptions { BatchSize = 2, WorkerCount = 2, PrefetchBatches = 6, BadSamplePolicy = BadSamplePolicy.Skip, SampleStarting = workers.OnSampleStarting });
        try
        {
            Assert.ThrowsAny<OperationCanceledException>(() =>
            {
                foreach (var batch in loader.ReadEpoch(cancellation.Token))
                    cancellation.Cancel();
            });
            workers.Open();

            await Hang.Until(() => workers.AllEnded, "the cancelled epoch's workers ending");
            int[] started = workers.Started;
            Assert.True(started.All(position => position < 4), $"samples started after the cancellation (of {string.Join(", ", started)})");
            Assert.Equal((false, 1), (loader.LastEpochReport!.Completed, loader.LastEpochReport.BatchCount));
        }
        finally
        {
            workers.Open();
        }
    }

    [Fact]
    public async Task ReadEpoch_CancelledWhileWaiting_Returns()
    {
        // The only worker is held inside the first sample, so the consumer waits for batch 0; cancelling must wake it.
        var workers = new LoaderWorkers(holdAt: _ => true);
        using var cancellation = new CancellationTokenSource();
        using var loader = new MultiLabelLoader(_data.Dataset, new DistributedSampler(12, shuffle: false), LoaderTestData.Pipeline(),
            new LoaderOptions { BatchSize = 4, WorkerCount = 1, SampleStarting = workers.OnSampleStarting });
        Exception? thrown = null;
        var consumer = new Thread(() =>
        {
            try
            {
                loader.ReadEpoch(cancellation.Token).First();
            }
            catch (Exception e)
            {
                thrown = e;
            }
        }) { IsBackground = true };
        try
        {
            consumer.Start();
            await Hang.Guard(workers.StartsReached(1), "the first sample starting");
            await Hang.Until(() => (consumer.ThreadState & ThreadState.WaitSleepJoin) != 0, "the consumer waiting for batch 0");

            cancellation.Cancel();

            await Hang.Until(() => !consumer.IsAlive, "the waiting consumer returning after the cancellation");
            Assert.IsAssignableFrom<OperationCanceledException>(thrown);
        }
        finally
        {
            workers.Open();
        }
    }

    [Fact]
    public async Task Dispose_DuringAnEpoch_StopsItsThreads()
    {
        // A worker is held inside a sample of batch 1 while the consumer holds batch 0: Dispose may only return once
        // the test lets that sample end, and then no worker thread may be left.
        var workers = new LoaderWorkers(holdAt: position => position >= 2);
        var loader = new MultiLabelLoader(_data.Dataset, new DistributedSampler(12, shuffle: false), LoaderTestData.Pipeline(),
            new LoaderOptions { BatchSize = 2, WorkerCount = 2, PrefetchBatches = 1, BadSamplePolicy = BadSamplePolicy.Skip, SampleStarting = workers.OnSampleStarting });
        bool endedWhenDisposeReturned = false;
        var disposer = new Thread(() =>
        {
            loader.Dispose();
            endedWhenDisposeReturned = workers.AllEnded;
        }) { IsBackground = true };
        try
        {
            using var batches = loader.ReadEpoch().GetEnumerator();
            Assert.True(batches.MoveNext());
            await Hang.Guard(workers.StartsReached(3), "a worker reaching batch 1");

            disposer.Start();
            await Hang.Until(() => (disposer.ThreadState & (ThreadState.WaitSleepJoin | ThreadState.Stopped)) != 0, "Dispose waiting or returning");
            Assert.True(disposer.IsAlive, "Dispose returned while a worker was still inside a sample");
            workers.Open();
            await Hang.Until(() => !disposer.IsAlive, "Dispose returning once the held sample ended");

            Assert.True(endedWhenDisposeReturned, "a worker thread was still running when Dispose returned");
            Assert.Throws<ObjectDisposedException>(() => batches.MoveNext());
            Assert.Throws<ObjectDisposedException>(() => loader.ReadEpoch());
        }
        finally
        {
            workers.Open();
        }
    }

    private MultiLabelLoader Loader(BadSamplePolicy policy, int workers, int reportLimit = 10) =>
        new(_data.Dataset, new DistributedSampler(12, shuffle: false), LoaderTestData.Pipeline(),
            new LoaderOptions { BatchSize = 4, WorkerCount = workers, BadSamplePolicy = policy, ReportedSkipLimit = reportLimit });
}
