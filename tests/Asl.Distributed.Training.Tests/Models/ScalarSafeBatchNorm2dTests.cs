using Asl.Distributed.Training.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Tests.Models;

/// <summary>
/// The batch norm that replaces TorchSharp's (issue 15) must be TorchSharp's BatchNorm2d in every observable respect:
/// outputs, gradients, running statistics and state-dict entries, bit for bit.
/// </summary>
public sealed class ScalarSafeBatchNorm2dTests
{
    [Theory]
    [InlineData(0.1, true, true)]
    [InlineData(0.3, false, true)]
    [InlineData(null, true, true)] // momentum None: the cumulative average that divides by num_batches_tracked
    [InlineData(0.1, true, false)]
    public void Forward_TrainAndEvalSteps_BitwiseEqualToTorchSharpBatchNorm2d(double? momentum, bool affine, bool trackRunningStats)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(7);
        using var ours = new ScalarSafeBatchNorm2d(3, affine: affine, trackRunningStats: trackRunningStats);
        using var theirs = nn.BatchNorm2d(3, affine: affine, track_running_stats: trackRunningStats);
        ours.momentum = theirs.momentum = momentum;
        if (affine)
        {
            using var noGrad = no_grad();
            var weight = randn(3, generator: generator);
            var bias = randn(3, generator: generator);
            ours.weight.copy_(weight);
            theirs.weight.copy_(weight);
            ours.bias!.copy_(bias);
            theirs.bias!.copy_(bias);
        }

        bool[] training = [true, true, true, false, true];
        foreach (bool train in training)
        {
            ours.train(train);
            theirs.train(train);
            var input = (randn([4, 3, 5, 5], generator: generator) * 3 + 1).detach();
            var upstream = randn([4, 3, 5, 5], generator: generator);
            var x1 = input.clone().requires_grad_();
            var x2 = input.clone().requires_grad_();

            var y1 = ours.call(x1);
            var y2 = theirs.call(x2);
            (y1 * upstream).sum().backward();
            (y2 * upstream).sum().backward();

            Assert.True(y1.Equals(y2), $"outputs differ (training {train})");
            Assert.True(x1.grad!.Equals(x2.grad!), $"input gradients differ (training {train})");
            if (affine)
            {
                Assert.True(ours.weight.grad!.Equals(theirs.weight.grad!), "weight gradients differ");
                Assert.True(ours.bias!.grad!.Equals(theirs.bias!.grad!), "bias gradients differ");
            }
            AssertBuffersEqual(ours, theirs);
        }

        if (trackRunningStats)
            Assert.Equal(training.Count(t => t), ours.num_batches_tracked!.item<long>());
    }

    [Fact]
    public void StateDict_EntriesOfTorchSharpBatchNorm2d_SameNamesShapesAndTypesAndLoadBothWays()
    {
        using var scope = NewDisposeScope();
        using var ours = new ScalarSafeBatchNorm2d(5);
        using var theirs = nn.BatchNorm2d(5);
        theirs.train();
        theirs.call(randn(2, 5, 3, 3));
        theirs.call(randn(2, 5, 3, 3));

        var ourState = ours.state_dict();
        var theirState = theirs.state_dict();
        Assert.Equal(["weight", "bias", "running_mean", "running_var", "num_batches_tracked"], ourState.Keys);
        Assert.Equal(theirState.Keys, ourState.Keys);
        Assert.All(theirState, entry =>
        {
            Assert.Equal(entry.Value.dtype, ourState[entry.Key].dtype);
            Assert.Equal(entry.Value.shape, ourState[entry.Key].shape);
        });

        ours.load_state_dict(theirState);
        AssertBuffersEqual(ours, theirs);
        Assert.Equal(2L, ours.num_batches_tracked!.item<long>());
        ours.train();
        ours.call(randn(2, 5, 3, 3));
        theirs.load_state_dict(ours.state_dict());
        Assert.Equal(3L, theirs.num_batches_tracked!.item<long>());
    }

    [Fact]
    public void To_Float64_ConvertsStatisticsButKeepsTheCountInt64()
    {
        using var scope = NewDisposeScope();
        using var bn = new ScalarSafeBatchNorm2d(2);
        bn.to(ScalarType.Float64);
        bn.train();
        var y = bn.call(randn([3, 2, 4, 4], ScalarType.Float64));

        Assert.Equal(ScalarType.Float64, y.dtype);
        Assert.Equal(ScalarType.Float64, bn.running_var!.dtype);
        Assert.Equal(ScalarType.Int64, bn.num_batches_tracked!.dtype);
        Assert.Equal(1L, bn.num_batches_tracked.item<long>());
    }

    [Fact]
    public void Forward_ThreeDimensionalInput_ThrowsNamingTheExpectedShape()
    {
        using var scope = NewDisposeScope();
        using var bn = new ScalarSafeBatchNorm2d(2);
        var error = Assert.Throws<ArgumentException>(() => bn.call(randn(2, 2, 4)));
        Assert.Contains("4-D input [N, C, H, W]", error.Message);
        Assert.Contains("3-D", error.Message);
    }

    // Counts: small_cnn one per block; ResNet stem + blocks × (2 basic | 3 bottleneck) + downsample projections
    // (18: 1 + 8·2 + 3; 50: 1 + 16·3 + 4); TResNet-M stem + 7 basic·2 + 14 bottleneck·3 + 3 downsamples.
    [Theory]
    [InlineData("small_cnn", 4)]
    [InlineData("resnet18", 20)]
    [InlineData("resnet50", 53)]
    [InlineData("tresnet_m", 60)]
    [InlineData("mlp", 0)]
    public void Create_Model_EveryBatchNormIsScalarSafe(string name, int expectedCount)
    {
        using var model = ModelFactory.Create(name, numClasses: 3, imageSize: 32);
        var norms = model.modules().OfType<BatchNorm>().ToList();

        Assert.All(norms, norm => Assert.IsType<ScalarSafeBatchNorm2d>(norm));
        Assert.Equal(expectedCount, norms.Count);
    }

    private static void AssertBuffersEqual(ScalarSafeBatchNorm2d ours, BatchNorm2d theirs)
    {
        Assert.Equal(theirs.running_mean is null, ours.running_mean is null);
        if (theirs.running_mean is null)
            return;
        Assert.True(ours.running_mean!.Equals(theirs.running_mean), "running_mean differs");
        Assert.True(ours.running_var!.Equals(theirs.running_var!), "running_var differs");
        Assert.Equal(theirs.num_batches_tracked!.item<long>(), ours.num_batches_tracked!.item<long>());
    }
}
