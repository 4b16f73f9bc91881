using Asl.Distributed.Training.Data;
using Asl.Distributed.Training.Images;
using Asl.Distributed.Training.Loading;

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
    public void ReadEpoch_CancelledAfterTheFirstBatch_ThrowsAndStopsTheWorkers()
    {
        int started = 0;
        using var cancellation = new CancellationTokenSource();
        using var loader = new MultiLabelLoader(_data.Dataset, new DistributedSampler(12, shuffle: false), LoaderTestData.Pipeline(),
            new LoaderOptions { BatchSize = 2, WorkerCount = 2, PrefetchBatches = 1, BadSamplePolicy = BadSamplePolicy.Skip, SampleStarting = _ => Interlocked.Increment(ref started) });

        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (var batch in loader.ReadEpoch(cancellation.Token))
                cancellation.Cancel();
        });

        int afterStop = Volatile.Read(ref started);
        Thread.Sleep(100);
        Assert.Equal(afterStop, Volatile.Read(ref started));
        Assert.True(afterStop < 12);
        Assert.Equal((false, 1), (loader.LastEpochReport!.Completed, loader.LastEpochReport.BatchCount));
    }

    [Fact]
    public void ReadEpoch_CancelledWhileWaiting_Returns()
    {
        // One worker blocks inside its first sample, so the consumer waits; cancelling must wake it.
        using var gate = new ManualResetEventSlim();
        using var cancellation = new CancellationTokenSource();
        using var loader = new MultiLabelLoader(_data.Dataset, new DistributedSampler(12, shuffle: false), LoaderTestData.Pipeline(),
            new LoaderOptions { BatchSize = 4, WorkerCount = 1, SampleStarting = _ => gate.Wait(TimeSpan.FromSeconds(10)) });
        cancellation.CancelAfter(100);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() => loader.ReadEpoch(cancellation.Token).First());
        gate.Set();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Dispose_DuringAnEpoch_StopsItsThreads()
    {
        int started = 0;
        var loader = new MultiLabelLoader(_data.Dataset, new DistributedSampler(12, shuffle: false), LoaderTestData.Pipeline(),
            new LoaderOptions { BatchSize = 2, WorkerCount = 2, PrefetchBatches = 1, BadSamplePolicy = BadSamplePolicy.Skip, SampleStarting = _ => Interlocked.Increment(ref started) });
        using var batches = loader.ReadEpoch().GetEnumerator();
        Assert.True(batches.MoveNext());

        loader.Dispose();
        int afterDispose = Volatile.Read(ref started);
        Thread.Sleep(100);

        Assert.Equal(afterDispose, Volatile.Read(ref started));
        Assert.Throws<ObjectDisposedException>(() => batches.MoveNext());
        Assert.Throws<ObjectDisposedException>(() => loader.ReadEpoch());
    }

    private MultiLabelLoader Loader(BadSamplePolicy policy, int workers, int reportLimit = 10) =>
        new(_data.Dataset, new DistributedSampler(12, shuffle: false), LoaderTestData.Pipeline(),
            new LoaderOptions { BatchSize = 4, WorkerCount = workers, BadSamplePolicy = policy, ReportedSkipLimit = reportLimit });
}
