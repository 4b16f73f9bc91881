using Asl.Distributed.Training.Loop;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Tests.DataParallel;

/// <summary>Rank r's shard of every global batch of <paramref name="global"/>: rows r, r + n, r + 2n, … (DistributedSampler's interleaving).</summary>
internal sealed class ShardedBatches(IEpochBatches global, int rank, int worldSize) : IEpochBatches
{
    public int BatchesPerEpoch => global.BatchesPerEpoch;

    public IEnumerable<(Tensor Images, Tensor Targets)> Epoch(int epoch, CancellationToken cancellationToken)
    {
        foreach (var (images, targets) in global.Epoch(epoch, cancellationToken))
        {
            using (images)
            using (targets)
            {
                var rows = arange(rank, images.shape[0], worldSize, dtype: ScalarType.Int64);
                yield return (images.index_select(0, rows), targets.index_select(0, rows));
            }
        }
    }
}
