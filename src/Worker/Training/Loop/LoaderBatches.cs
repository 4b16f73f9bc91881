using Asl.Distributed.Training.Loading;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Loop;

/// <summary>The image loader as the trainer's batch source: epoch e reads the sampler's order for e.</summary>
public sealed class LoaderBatches(MultiLabelLoader loader) : IEpochBatches
{
    public int BatchesPerEpoch => loader.BatchCount;

    /// <summary>Skipped samples of the last epoch read (under the skip policy), for the epoch summary.</summary>
    public LoaderEpochReport? LastEpochReport => loader.LastEpochReport;

    public IEnumerable<(Tensor Images, Tensor Targets)> Epoch(int epoch, CancellationToken cancellationToken)
    {
        loader.Sampler.SetEpoch(epoch);
        foreach (var batch in loader.ReadEpoch(cancellationToken))
            yield return batch.ToTensors();
    }
}
