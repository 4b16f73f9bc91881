using System.Globalization;
using Asl.Distributed.Losses;
using Asl.Distributed.Training.DataParallel;
using Asl.Distributed.Training.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Devices;

public static partial class DeviceCheck
{
    /// <summary>
    /// Two ranks over loopback sockets, each with the same MLP on the device and half of a batch: backward runs with
    /// the buckets overlapped (the one whose module is probed starts during backward, the first layer's after it),
    /// each bucket copied to a host buffer (pinned on CUDA), averaged on the ring and copied back. Both ranks must end
    /// with the same bits, and those must be the float64 mean of the two halves' gradients within float32 rounding.
    /// </summary>
    private static string StagedRing(TrainingDevice device)
    {
        var (inputs, labels) = LossInputs(32, 48);
        var halves = new[] { 0, 16 }.Select(row => (Images: inputs.narrow(0, row, 16).reshape(16, 3, 4, 4), Targets: labels.narrow(0, row, 16).narrow(1, 0, Classes))).ToArray();
        // The same weights three times, made on the host: the two ranks' on the device and the float64 reference.
        var models = new nn.Module<Tensor, Tensor>[2];
        for (int rank = 0; rank < 2; rank++)
        {
            torch.manual_seed(7);
            models[rank] = RingModel().to(device.Torch);
        }
        torch.manual_seed(7);
        var reference = RingModel().to(ScalarType.Float64);
        var referenceLoss = new AsymmetricLoss(AsymmetricLossOptions.Official);
        foreach (var (images, targets) in halves)
            referenceLoss.forward(reference.forward(images.to(ScalarType.Float64)), targets.to(ScalarType.Float64)).div(2).backward();
        var expected = torch.cat(reference.parameters().Select(p => p.grad!.flatten()).ToList());

        using var ranks = TwoRanks.Join();
        var results = ranks.Run(group =>
        {
            using var scope = NewDisposeScope();
            var model = models[group.Rank];
            using var buckets = new GradientBuckets(model.parameters(), bucketBytes: 1024, stageThroughHost: true);
            using var overlap = new BackwardOverlap(model, buckets, group, average: true);
            var loss = new AsymmetricLoss(AsymmetricLossOptions.Official);
            var (images, targets) = halves[group.Rank];
            overlap.BeginStep(CancellationToken.None);
            loss.forward(model.forward(images.to(device.Torch)), targets.to(device.Torch)).backward();
            overlap.FinishAsync().GetAwaiter().GetResult();
            var gradient = torch.cat(model.parameters().Select(p => p.grad!.flatten()).ToList()).cpu().DetachFromDisposeScope();
            return (Gradient: gradient, buckets.Buckets.Count, overlap.StartedDuringBackward, buckets.HostCopyPinned);
        });

        Require(results[0].Gradient.bytes.SequenceEqual(results[1].Gradient.bytes), "the two ranks' averaged gradients differ");
        Require(results[0].Count >= 2, $"the check needs two buckets or more; it got {results[0].Count}");
        Require(results[0].StartedDuringBackward >= 1, "no bucket started during backward");
        Require(!device.IsCuda || results[0].HostCopyPinned, "the host copy of the CUDA gradients is not pinned memory");
        double error = (results[0].Gradient.to(ScalarType.Float64) - expected).abs().max().item<double>() / expected.abs().max().item<double>();
        Require(error <= 1e-5, $"the averaged gradient differs from float64's by {error:0.00e+0} of its largest element (allowed: 1e-5)");
        return string.Create(CultureInfo.InvariantCulture,
            $"2 ranks over loopback sockets on {device}, {results[0].Count} buckets ({results[0].StartedDuringBackward} during backward) through {(results[0].HostCopyPinned ? "pinned" : "plain")} host buffers: " +
            $"the same bits on both ranks, off the float64 mean by {error:0.0e+0} of its largest element");
    }

    private static nn.Module<Tensor, Tensor> RingModel() =>
        nn.Sequential(("flatten", nn.Flatten()), ("fc1", nn.Linear(48, 32)), ("relu", nn.ReLU()), ("fc2", nn.Linear(32, Classes)));
}
