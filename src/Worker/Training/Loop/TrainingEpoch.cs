using Asl.Distributed.Runs;
using Asl.Distributed.Training.Events;
using Asl.Distributed.Training.Telemetry;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Loop;

/// <summary>
/// Trains one epoch: reads its batches, runs a <see cref="TrainingStep"/> on each in its own dispose scope, keeps
/// the time spent waiting for data apart from the time spent computing, and reports progress through the run's
/// events (rate-limited by <see cref="ProgressThrottle"/>).
/// </summary>
internal sealed class TrainingEpoch(TrainingStep trainingStep, IEpochBatches batches, StepSchedule schedule, RunEvents events, TimeProvider time,
    TrainingMetrics metrics)
{
    public EpochTraining Run(int epoch, int epochs, long firstStep, long skippedBefore, RunPosition position, CancellationToken cancellationToken)
    {
        long step = firstStep;
        long skipped = skippedBefore;
        double lossSum = 0;
        long images = 0;
        int batch = 0;
        var throttle = new ProgressThrottle(batches.BatchesPerEpoch, time);
        long started = time.GetTimestamp();
        var dataWait = TimeSpan.Zero;
        var exchangeWait = TimeSpan.Zero;
        using var source = batches.Epoch(epoch, cancellationToken).GetEnumerator();
        while (true)
        {
            long waiting = time.GetTimestamp();
            // Reading the batch is part of it: an error there names the batch being read.
            position.Batch = batch + 1;
            if (!source.MoveNext())
                break;
            var waited = time.GetElapsedTime(waiting);
            dataWait += waited;
            batch++;
            long stepStarted = time.GetTimestamp();
            var (x, y) = source.Current;
            using (var scope = NewDisposeScope())
            using (x)
            using (y)
            {
                var result = trainingStep.Run(x, y, epoch, batch, step, cancellationToken);
                step++;
                if (result is { } taken)
                {
                    lossSum += taken.Loss;
                    images += taken.Images;
                    exchangeWait += taken.ExchangeWait;
                }
                else
                {
                    skipped++;
                }
            }
            metrics.Step(time.GetElapsedTime(stepStarted), waited);
            if (throttle.ShouldReport(batch))
            {
                var elapsed = time.GetElapsedTime(started);
                long batchesLeft = (long)(epochs - epoch) * batches.BatchesPerEpoch + batches.BatchesPerEpoch - batch;
                var remaining = TimeSpan.FromSeconds(Math.Round(elapsed.TotalSeconds / batch * batchesLeft));
                int trainedSoFar = batch - (int)(skipped - skippedBefore);
                events.Publish(new BatchProgress(epoch, epochs, batch, batches.BatchesPerEpoch, lossSum / Math.Max(1, trainedSoFar),
                    schedule.LearningRate(step - 1), images / Math.Max(elapsed.TotalSeconds, 1e-9), remaining));
            }
        }
        double seconds = time.GetElapsedTime(started).TotalSeconds;
        int trained = batch - (int)(skipped - skippedBefore);
        return new EpochTraining(trained == 0 ? double.NaN : lossSum / trained, images, step, skipped, seconds, dataWait.TotalSeconds,
            seconds - dataWait.TotalSeconds - exchangeWait.TotalSeconds, exchangeWait.TotalSeconds);
    }
}
