using static TorchSharp.torch;

namespace Asl.Distributed.Training.Loop;

/// <summary>
/// Where the trainer's batches come from: the image loader in a run, in-memory tensors in tests. An epoch's batches
/// must depend only on the epoch number (and the source's seed), so that a resumed run sees what an uninterrupted
/// one would have seen.
/// </summary>
public interface IEpochBatches
{
    /// <summary>Batches per epoch (the schedule's steps per epoch).</summary>
    int BatchesPerEpoch { get; }

    /// <summary>
    /// The batches of <paramref name="epoch"/> (1-based): images [B, 3, H, W] float32 and multi-hot targets [B, K].
    /// The trainer disposes each pair after use.
    /// </summary>
    IEnumerable<(Tensor Images, Tensor Targets)> Epoch(int epoch, CancellationToken cancellationToken);

    /// <summary>Samples the last epoch skipped under a skip policy, with the first few named; empty when none.</summary>
    string SkippedSummary => "";
}
