using Asl.Distributed.Training.Loop;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Tests.Loop;

/// <summary>Batches from another source that throw an unexpected error when a given batch of a given epoch is read.</summary>
internal sealed class FailingBatches(IEpochBatches inner, int epoch, int batch, Func<Exception> error) : IEpochBatches
{
    public int BatchesPerEpoch => inner.BatchesPerEpoch;

    public IEnumerable<(Tensor Images, Tensor Targets)> Epoch(int e, CancellationToken cancellationToken)
    {
        int b = 0;
        foreach (var pair in inner.Epoch(e, cancellationToken))
        {
            if (e == epoch && ++b == batch)
            {
                pair.Images.Dispose();
                pair.Targets.Dispose();
                throw error();
            }
            yield return pair;
        }
    }
}
