using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Runs;
using Asl.Distributed.Telemetry;
using Asl.Distributed.Training.Collectives;
using Asl.Distributed.Training.Loop;
using Asl.Distributed.Training.Tests.DataParallel;
using Asl.Distributed.Training.Tests.Loop;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Tests.Telemetry;

/// <summary>
/// What the trainer records under <see cref="TelemetryNames.TrainingMeter"/> and traces under
/// <see cref="TelemetryNames.ActivitySource"/>, caught by a <see cref="MeterListener"/>
/// (the API the OpenTelemetry SDK listens through) during a real two-rank run over an in-process ring, against what
/// the run itself says: one step measurement per step and rank, the all-reduced bytes as the closed form (gradient
/// floats × 4 × steps), and rank 0's epoch gauges equal to the epochs of its summary.
/// </summary>
[Collection(Loop.GlobalTorchRandomCollection.Name)]
public sealed class TrainingMetricsTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"asl-metrics-{Guid.NewGuid():N}");
    private readonly string _trial = $"metrics-{Guid.NewGuid():N}"[..20];

    public void Dispose()
    {
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void Run_TwoRanks_RecordsStepsAllReduceBytesAndEpochGaugesWithTheirAttributes()
    {
        var measurements = new ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == TelemetryNames.TrainingMeter)
                l.EnableMeasurementEvents(instrument);
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var map = new Dictionary<string, object?>();
            foreach (var tag in tags)
                map[tag.Key] = tag.Value;
            // Other tests may train at the same time in this process: only this run's trial counts.
            if (Equals(map.GetValueOrDefault(TelemetryNames.TrialId), _trial))
                measurements.Enqueue((instrument.Name, value, map));
        }
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.Start();

        var summaries = RunTwoRanks();

        var summary = summaries[0];
        long steps = summary.Steps;
        Assert.Equal(30, steps);
        foreach (int rank in new[] { 0, 1 })
        {
            var mine = measurements.Where(m => Equals(m.Tags[TelemetryNames.Rank], rank)).ToList();
            Assert.All(mine, m => Assert.Equal("sweep-m", m.Tags[TelemetryNames.SweepId]));
            Assert.Equal(steps, mine.Count(m => m.Instrument == TelemetryNames.StepDuration.Name));
            Assert.Equal(steps, mine.Count(m => m.Instrument == TelemetryNames.DataWait.Name));
            Assert.All(mine.Where(m => m.Instrument == TelemetryNames.StepDuration.Name), m => Assert.True(m.Value > 0));
            // Every step all-reduces the whole gradient buffer: the MLP's 48·32 + 32 + 32·4 + 4 floats.
            Assert.Equal(steps * 1700 * sizeof(float), mine.Where(m => m.Instrument == TelemetryNames.AllReduceBytes.Name).Sum(m => m.Value));
            Assert.Equal(steps, mine.Count(m => m.Instrument == TelemetryNames.AllReduceDuration.Name));
        }
        // The global figures come from rank 0 alone, one per epoch, as its summary has them.
        var maps = measurements.Where(m => m.Instrument == TelemetryNames.Map.Name).ToList();
        Assert.All(maps, m => Assert.Equal(0, m.Tags[TelemetryNames.Rank]));
        Assert.Equal(summary.Epochs.Select(e => e.Map), maps.Select(m => m.Value));
        Assert.Equal(summary.Epochs.Select(e => e.MapEma), measurements.Where(m => m.Instrument == TelemetryNames.MapEma.Name).Select(m => m.Value));
        Assert.Equal(summary.Epochs.Select(e => e.ProbGap), measurements.Where(m => m.Instrument == TelemetryNames.ProbabilityGap.Name).Select(m => m.Value));
        Assert.Equal(summary.Epochs.Select(e => e.GammaNeg), measurements.Where(m => m.Instrument == TelemetryNames.GammaNeg.Name).Select(m => m.Value));
        Assert.Contains(measurements, m => m.Instrument == TelemetryNames.TrainLoss.Name && Equals(m.Tags[TelemetryNames.Rank], 0));
        Assert.DoesNotContain(measurements, m => m.Instrument == TelemetryNames.TrainLoss.Name && Equals(m.Tags[TelemetryNames.Rank], 1));
    }

    [Fact]
    public void Run_TwoRanksUnderARankSpan_EpochSpansAreItsChildrenAndTheFirstStepsAllReduceIsTraced()
    {
        var ended = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == TelemetryNames.ActivitySource,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = ended.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        using var source = new ActivitySource(TelemetryNames.ActivitySource);
        var parents = new Activity?[2];

        var summaries = RunTwoRanks(rank => parents[rank] = source.StartActivity("test.rank"));

        foreach (int rank in new[] { 0, 1 })
        {
            var parent = parents[rank]!;
            var epochs = ended.Where(a => a.OperationName == "asl.epoch" && a.ParentSpanId == parent.SpanId).OrderBy(a => a.GetTagItem("asl.epoch")).ToList();
            Assert.Equal([1, 2, 3], epochs.Select(e => e.GetTagItem("asl.epoch")));
            Assert.All(epochs, e => Assert.Equal(rank, e.GetTagItem(TelemetryNames.Rank)));
            Assert.All(epochs, e => Assert.Equal(parent.TraceId, e.TraceId));
            Assert.Equal(summaries[0].Epochs.Select(e => (object)e.Map), epochs.Select(e => e.GetTagItem("asl.eval.map")));
            // 30 steps, one in 50 sampled: step 0 alone, in epoch 1, with the whole buffer's bytes.
            var reduce = Assert.Single(ended, a => a.OperationName == "asl.allreduce" && epochs.Any(e => e.SpanId == a.ParentSpanId));
            Assert.Equal(epochs[0].SpanId, reduce.ParentSpanId);
            Assert.Equal(0L, reduce.GetTagItem("asl.step"));
            Assert.Equal(1700L * sizeof(float), reduce.GetTagItem("asl.allreduce.bytes"));
        }
    }

    private TrainingSummary[] RunTwoRanks(Func<int, Activity?>? startRankSpan = null)
    {
        const int world = 2;
        var config = new TrainingConfig
        {
            Seed = 11,
            Schedule = new ScheduleConfig { Epochs = 3, StopEpoch = 0 },
            Run = new RunConfig { BatchSize = 24, EmaDecay = 0.9 },
            Output = new OutputConfig { Dir = _folder },
            Distributed = new DistributedConfig { BucketMb = 0.001 },
        };
        config.Validate();
        var train = new InMemoryBatches(240, 4, 24, dataSeed: 3, orderSeed: 4);
        var val = new InMemoryBatches(90, 4, 30, dataSeed: 3, orderSeed: 5);
        var ring = new InProcessRing(world);
        var summaries = new TrainingSummary[world];
        var errors = new Exception?[world];
        var threads = Enumerable.Range(0, world).Select(rank => new Thread(() =>
        {
            using var rankSpan = startRankSpan?.Invoke(rank);
            try
            {
                summaries[rank] = new Trainer(config, () => InMemoryBatches.Mlp(4),
                    RunData.Unnamed(new ShardedBatches(train, rank, world), new ShardedBatches(val, rank, world), 4),
                    new TrainerServices { Group = new ProcessGroup(ring.Links[rank], rank, world, chunkLength: 64), SweepId = "sweep-m", TrialId = _trial })
                    .Run(resume: false);
            }
            catch (Exception e)
            {
                errors[rank] = e;
            }
        }) { IsBackground = true }).ToArray();
        foreach (var thread in threads)
            thread.Start();
        foreach (var thread in threads)
            thread.Join();
        Assert.All(errors, e => Assert.Null(e));
        return summaries;
    }
}
