using Asl.Distributed.Training.Loading;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Loop;

/// <summary>The image loader as the trainer's batch source: epoch e reads the sampler's order for e.</summary>
public sealed class LoaderBatches(MultiLabelLoader loader) : IEpochBatches
{
    public int BatchesPerEpoch => loader.BatchCount;

    public string SkippedSummary => loader.LastEpochReport is { SkippedCount: > 0 } report
        ? $"{report.SkippedCount} unreadable image(s) skipped in epoch {report.Epoch}: " +
          string.Join("; ", report.FirstSkipped.Select(s => $"{s.ImagePath} ({s.Record}): {s.Reason}"))
        : "";

    public IEnumerable<(Tensor Images, Tensor Targets)> Epoch(int epoch, CancellationToken cancellationToken)
    {
        loader.Sampler.SetEpoch(epoch);
        foreach (var batch in loader.ReadEpoch(cancellationToken))
            yield return batch.ToTensors();
    }
}
