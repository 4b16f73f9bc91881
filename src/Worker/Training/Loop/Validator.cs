using System.Runtime.InteropServices;
using Asl.Distributed.Training.Collectives;
using Asl.Distributed.Training.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Loop;

/// <summary>
/// Scores a model on the validation batches: mAP, CF1 and OF1 at the threshold, Δp and the loss (mean over batches,
/// reduced as configured, so comparable with the training loss), all computed on the whole validation set. With a
/// data-parallel group each rank scores its shard, and the scores and targets are gathered so that every rank
/// computes the metrics on the whole set. Non-finite scores (diverged weights) give a result marked
/// <see cref="ValidationResult.Diverged"/> instead of an error, the same on every rank.
/// </summary>
public sealed class Validator(nn.Module<Tensor, Tensor, Tensor> loss, int classCount, NoPositiveClassPolicy policy, double threshold)
{
    /// <summary>Evaluates <paramref name="model"/> in eval mode without autograd; restores train mode after.</summary>
    public ValidationResult Evaluate(nn.Module<Tensor, Tensor> model, IEpochBatches batches, int epoch, CancellationToken cancellationToken,
        ProcessGroup? group = null)
    {
        bool gather = group is { WorldSize: > 1 };
        bool wasTraining = model.training;
        model.eval();
        var scores = new MultiLabelScoreAccumulator(classCount);
        var gap = new ProbabilityGapAccumulator(classCount);
        var localScores = new List<float>();
        var localTargets = new List<float>();
        double lossSum = 0;
        int batchCount = 0;
        int localSamples = 0;
        bool diverged = false;
        try
        {
            using var noGrad = torch.no_grad();
            foreach (var (images, targets) in batches.Epoch(epoch, cancellationToken))
            {
                using var scope = NewDisposeScope();
                using (images)
                using (targets)
                {
                    var logits = model.forward(images).to(ScalarType.Float32);
                    lossSum += loss.forward(logits, targets).to(ScalarType.Float64).mean().item<double>();
                    batchCount++;
                    // The metrics read the scores on the host (a CUDA run copies them back here, once per batch).
                    var probabilities = logits.sigmoid().cpu().contiguous();
                    var y = targets.to(ScalarType.Float32).cpu().contiguous();
                    var p = MemoryMarshal.Cast<byte, float>(probabilities.bytes);
                    var t = MemoryMarshal.Cast<byte, float>(y.bytes);
                    localSamples += (int)images.shape[0];
                    diverged |= !AllFinite(p);
                    if (gather)
                    {
                        localScores.AddRange(p);
                        localTargets.AddRange(t);
                    }
                    else if (!diverged)
                    {
                        scores.Add(p, t);
                        gap.Add(p, t);
                    }
                }
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        if (gather)
        {
            // Every rank learns whether any shard diverged, so that all of them report the same result.
            var flags = group!.SumDoublesAsync([diverged ? 1 : 0, localSamples], cancellationToken).GetAwaiter().GetResult();
            (diverged, localSamples) = (flags[0] > 0, (int)flags[1]);
        }
        if (diverged)
            return ValidationResult.DivergedResult(classCount, double.NaN, localSamples);
        if (gather)
        {
            // The shards are disjoint and cover the set, so the gathered rows are the whole set in another order;
            // every metric here is independent of row order.
            var allScores = group!.AllGatherAsync(CollectionsMarshal.AsSpan(localScores).ToArray(), cancellationToken).GetAwaiter().GetResult();
            var allTargets = group.AllGatherAsync(CollectionsMarshal.AsSpan(localTargets).ToArray(), cancellationToken).GetAwaiter().GetResult();
            scores.Add(allScores.Values, allTargets.Values);
            gap.Add(allScores.Values, allTargets.Values);
            var sums = group.SumDoublesAsync([lossSum, batchCount], cancellationToken).GetAwaiter().GetResult();
            (lossSum, batchCount) = (sums[0], (int)sums[1]);
        }
        int samples = scores.SampleCount;
        var map = scores.ComputeMeanAveragePrecision(policy);
        var atThreshold = scores.ComputeAtThreshold((float)threshold);
        return new ValidationResult(map.Value, batchCount == 0 ? double.NaN : lossSum / batchCount, atThreshold.CF1, atThreshold.OF1, gap.Gap, samples,
            map.PerClass);
    }

    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        foreach (float v in values)
        {
            if (!float.IsFinite(v))
                return false;
        }
        return true;
    }
}
