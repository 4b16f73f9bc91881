using Asl.Distributed.Losses;
using Asl.Distributed.Training.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Tests.Finalizers;

/// <summary>The single-label loss, forward and backward, leaves no Scalar and no tensor to a finalizer (issue 15's race).</summary>
[Collection(ProcessWideGarbageCollection.Name)]
public sealed class SingleLabelLossFinalizerTests
{
    [Fact]
    public void Compute_ForwardAndBackward_LeavesNoHandleToFinalizers()
    {
        var options = new AsymmetricSingleLabelLossOptions();
        using var logits = torch.randn(8, 5, generator: torch.Generator.Default).requires_grad_();
        using var targets = torch.tensor(new long[] { 0, 1, 2, 3, 4, 0, 1, 2 });
        using var counter = FinalizedHandleCounter.Start();

        for (int step = 0; step < 3; step++)
        {
            using var scope = NewDisposeScope();
            var loss = AsymmetricSingleLabelLoss.Compute(logits, targets, options);
            loss.backward();
            Assert.True(float.IsFinite(loss.item<float>()));
        }
        counter.FinalizeAll();

        Assert.Equal(0, counter.Scalars);
        Assert.Equal(0, counter.Tensors);
    }
}
