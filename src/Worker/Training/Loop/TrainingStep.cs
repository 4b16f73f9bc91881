using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Training.Collectives;
using Asl.Distributed.Training.Losses;
using Asl.Distributed.Training.Telemetry;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Loop;

/// <summary>
/// One optimizer step: the schedule's learning rate, forward in the compute precision, the float32 loss, backward,
/// the gradient exchange between ranks (overlapped with backward or after it), the non-finite loss policy, under
/// float16 the dynamic loss scaler, Adam, the EMA and adaptive γ−. With several ranks every rank takes part even when
/// its own loss is not finite: the loss of the whole global batch decides for all of them alike.
/// </summary>
/// <remarks>
/// Under float16 the loss is scaled before backward and the master gradients unscaled after the exchange. A step
/// whose gradients are not all finite is skipped (no Adam, no EMA, no γ− update) and the scale backs off: that is
/// how the scaler finds its level, so it is no failure under either NaN policy. It is counted as a skipped step.
/// The scaler checks the all-reduced gradients, which are the same on every rank, so all ranks skip alike.
/// </remarks>
internal sealed class TrainingStep(TrainingModels models, StepSchedule schedule, ProcessGroup group, NanPolicy nanPolicy, TimeProvider time,
    TrainingMetrics? metrics = null)
{
    /// <summary>
    /// Runs step <paramref name="step"/> on one batch of epoch <paramref name="epoch"/>; returns the global batch's
    /// loss and image count, or null when the step was skipped for a non-finite loss or (float16) a non-finite gradient.
    /// </summary>
    public StepResult? Run(Tensor images, Tensor targets, int epoch, int batch, long step, CancellationToken cancellationToken)
    {
        var (model, lowPrecision, loss, optimizer) = (models.Model, models.LowPrecision, models.Loss, models.Optimizer);
        schedule.Apply(optimizer, step);
        // Before forward: with the overlap, buckets go on the ring during backward.
        var (reduceTime, reducedBytes) = (group.AllReduceTime, group.AllReducedBytes);
        lowPrecision?.PushWeights();
        models.Overlap?.BeginStep(cancellationToken);
        // The loss casts half-precision logits up: it is always computed in float32.
        var logits = lowPrecision is null ? model.forward(images) : lowPrecision.Model.forward(images.to(lowPrecision.DType));
        var value = loss.forward(logits, targets);
        double lossValue = value.item<float>();
        long imageCount = images.shape[0];
        if (models.Buckets is null && !double.IsFinite(lossValue))
            return Skip(epoch, batch, step, lossValue);
        if (lowPrecision is null)
            optimizer.zero_grad();
        var scaler = models.Scaler;
        var backwardStarted = TrainingSpans.SampleAllReduce(step) && models.Buckets is not null ? time.GetUtcNow() : (DateTimeOffset?)null;
        (scaler is null ? value : scaler.ScaleLoss(value)).backward();
        lowPrecision?.PullGradientsAndBuffers();
        double[]? gapSums = null;
        TimeSpan exchange = TimeSpan.Zero;
        if (models.Buckets is { } buckets)
        {
            long started = time.GetTimestamp();
            (models.Overlap?.FinishAsync() ?? buckets.AllReduceAsync(group, models.AverageGradients, cancellationToken)).GetAwaiter().GetResult();
            metrics?.AllReduce(group.AllReduceTime - reduceTime, group.AllReducedBytes - reducedBytes, group.WorldSize);
            if (backwardStarted is { } began)
                TrainingSpans.AllReduce(began, step, group.AllReduceTime - reduceTime, group.AllReducedBytes - reducedBytes, group.WorldSize);
            var local = new double[2 + (models.Adaptive is null ? 0 : AdaptiveAsymmetry.GapSumCount)];
            (local[0], local[1]) = (lossValue, imageCount);
            if (models.Adaptive is not null)
                AdaptiveAsymmetry.GapSums(logits.detach(), targets).CopyTo(local, 2);
            var global = group.SumDoublesAsync(local, cancellationToken).GetAwaiter().GetResult();
            exchange = time.GetElapsedTime(started);
            (lossValue, imageCount) = (models.AverageGradients ? global[0] / group.WorldSize : global[0], (long)global[1]);
            gapSums = models.Adaptive is null ? null : global[2..];
            if (!double.IsFinite(lossValue))
                return Skip(epoch, batch, step, lossValue);
        }
        if (scaler is not null)
        {
            // One flat buffer where there is one (the all-reduced buckets, or the flat optimizer's): one kernel, not one per tensor.
            var flat = models.Buckets?.Buffer ?? models.Optimizer.Flat?.Grad;
            bool finite = scaler.UnscaleGradients(flat is not null ? [flat] : lowPrecision!.MasterParameters.Select(p => p.grad!));
            scaler.Update(foundNonFinite: !finite);
            if (!finite)
                return null;
        }
        optimizer.step();
        models.Ema?.Update();
        if (models.Adaptive is { } adaptive)
        {
            if (gapSums is null)
                adaptive.Step(logits.detach(), targets);
            else
                adaptive.Update(AdaptiveAsymmetry.ProbabilityGap(gapSums));
        }
        return new StepResult(lossValue, imageCount, exchange);
    }

    private StepResult? Skip(int epoch, int batch, long step, double loss) =>
        nanPolicy == NanPolicy.Fail ? throw new NonFiniteLossException(epoch, batch, step, loss) : null;
}

