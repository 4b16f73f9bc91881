using Asl.Distributed.Training.Loop;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Devices;

/// <summary>
/// A batch source whose batches arrive on a CUDA device: each batch, decoded and augmented on the loader's CPU
/// threads (which already work ahead of the trainer), is put in pinned host memory and copied without blocking, so
/// the copy overlaps the host's work on the step (TorchSharp 0.107 has no CUDA streams; the copy is ordered before
/// the step's kernels on the device's stream). On the CPU the source's batches pass through untouched.
/// </summary>
public sealed class DeviceBatches : IEpochBatches
{
    private readonly IEpochBatches _source;
    private readonly Device _device;

    private DeviceBatches(IEpochBatches source, Device device)
    {
        _source = source;
        _device = device;
    }

    public int BatchesPerEpoch => _source.BatchesPerEpoch;

    public string SkippedSummary => _source.SkippedSummary;

    /// <summary><paramref name="source"/> itself on the CPU; a copying source on a CUDA device.</summary>
    public static IEpochBatches On(IEpochBatches source, TrainingDevice device) => device.IsCuda ? new DeviceBatches(source, device.Torch) : source;

    public IEnumerable<(Tensor Images, Tensor Targets)> Epoch(int epoch, CancellationToken cancellationToken)
    {
        foreach (var (images, targets) in _source.Epoch(epoch, cancellationToken))
        {
            using (images)
            using (targets)
                yield return (ToDevice(images), ToDevice(targets));
        }
    }

    private Tensor ToDevice(Tensor host)
    {
        // The pinned copy may be freed at once: libtorch's host allocator keeps its block until the copy is done.
        using var pinned = host.pin_memory();
        return pinned.to(_device, non_blocking: true);
    }
}
