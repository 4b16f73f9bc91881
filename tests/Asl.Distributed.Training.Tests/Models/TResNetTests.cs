using Asl.Distributed.Training.Models;
using TorchSharp;

namespace Asl.Distributed.Training.Tests.Models;

/// <summary>TResNet against the official definition: parameter counts, timm key layout, stem and blur pool.</summary>
public sealed class TResNetTests
{
    // timm's results tables list 31.39 M and 55.99 M; the exact figures are an independent count of the official
    // tresnet.py definition (convs without bias, 2 affine parameters per norm, SE convs with bias, linear head).
    [Theory]
    [InlineData("tresnet_m", 1000, 31_389_032L, 31.39e6)]
    [InlineData("tresnet_l", 1000, 55_989_256L, 55.99e6)]
    [InlineData("tresnet_m", 80, 29_503_952L, 29.50e6)]
    public void ParameterCount_EqualsOfficialDefinition(string name, int classes, long exact, double published)
    {
        using var model = ModelFactory.Create(name, classes);
        long count = model.ParameterCount();
        Assert.Equal(exact, count);
        Assert.InRange(count, published * 0.99, published * 1.01);
    }

    [Fact]
    public void StateDict_TResNetM_FollowsTimmLayout()
    {
        using var model = TResNet.TResNetM(1000);
        using var scope = torch.NewDisposeScope();
        var sd = model.state_dict();
        Assert.Equal(new long[] { 64, 48, 3, 3 }, sd["body.conv1.conv.weight"].shape);
        Assert.Contains("body.conv1.bn.num_batches_tracked", sd.Keys);
        Assert.Equal(new long[] { 64, 64, 1, 1 }, sd["body.layer1.0.se.fc1.weight"].shape);
        Assert.Equal(new long[] { 128, 64, 1, 1 }, sd["body.layer2.0.downsample.1.conv.weight"].shape);
        // Bottleneck SE: planes 256 reduced to max(256 · 4 / 8, 64) = 128.
        Assert.Equal(new long[] { 128, 256, 1, 1 }, sd["body.layer3.0.se.fc1.weight"].shape);
        Assert.Equal(new long[] { 1024, 256, 1, 1 }, sd["body.layer3.1.conv3.conv.weight"].shape);
        Assert.Equal(new long[] { 1000, 2048 }, sd["head.fc.weight"].shape);
        Assert.DoesNotContain(sd.Keys, k => k.StartsWith("body.layer4.") && k.Contains(".se."));
        Assert.DoesNotContain(sd.Keys, k => k.EndsWith(".filt"));
        Assert.Equal(11, sd.Keys.Where(k => k.StartsWith("body.layer3.")).Select(k => k.Split('.')[2]).Distinct().Count());
        Assert.Equal("head.fc", model.HeadName);
    }

    [Fact]
    public void Forward_TResNetM224_ReturnsLogits()
    {
        torch.manual_seed(5);
        using var model = TResNet.TResNetM(20);
        model.eval();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var logits = model.call(torch.randn(1, 3, 224, 224));
        Assert.Equal(new long[] { 1, 20 }, logits.shape);
        Assert.True(logits.isfinite().all().item<bool>());
    }

    [Fact]
    public void SpaceToDepth_Input_MatchesOfficialChannelOrder()
    {
        using var scope = torch.NewDisposeScope();
        using var s2d = new SpaceToDepth();
        // Value = c·10000 + h·100 + w identifies each pixel.
        var values = new float[3 * 8 * 8];
        for (int c = 0; c < 3; c++)
            for (int h = 0; h < 8; h++)
                for (int w = 0; w < 8; w++)
                    values[(c * 8 + h) * 8 + w] = c * 10000 + h * 100 + w;
        var x = torch.tensor(values).reshape(1, 3, 8, 8);
        var y = s2d.call(x);
        Assert.Equal(new long[] { 1, 48, 2, 2 }, y.shape);
        // Official order: output channel = (row in block · 4 + column in block) · C + c.
        for (int bh = 0; bh < 4; bh++)
            for (int bw = 0; bw < 4; bw++)
                for (int c = 0; c < 3; c++)
                    for (int i = 0; i < 2; i++)
                        for (int j = 0; j < 2; j++)
                        {
                            float expected = c * 10000 + (i * 4 + bh) * 100 + (j * 4 + bw);
                            Assert.Equal(expected, y[0, (bh * 4 + bw) * 3 + c, i, j].item<float>());
                        }
    }

    [Fact]
    public void SpaceToDepth_SizeNotMultipleOfFour_Throws()
    {
        using var scope = torch.NewDisposeScope();
        using var s2d = new SpaceToDepth();
        Assert.Throws<ArgumentException>(() => s2d.call(torch.zeros(1, 3, 10, 8)));
    }

    [Fact]
    public void BlurPool_Input_EqualsReflectPaddedBinomialAverage()
    {
        using var scope = torch.NewDisposeScope();
        using var blur = new BlurPool2d(2);
        var x = torch.arange(2 * 5 * 5, dtype: torch.float32).reshape(1, 2, 5, 5).mul(torch.tensor(new float[] { 1, -1 }).reshape(1, 2, 1, 1));
        var y = blur.call(x);
        Assert.Equal(new long[] { 1, 2, 3, 3 }, y.shape);
        var data = x.data<float>().ToArray();
        int[] taps = [1, 2, 1];
        for (int c = 0; c < 2; c++)
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                {
                    double sum = 0;
                    for (int di = -1; di <= 1; di++)
                        for (int dj = -1; dj <= 1; dj++)
                        {
                            int r = Reflect(2 * i + di, 5), q = Reflect(2 * j + dj, 5);
                            sum += taps[di + 1] * taps[dj + 1] * data[(c * 5 + r) * 5 + q] / 16.0;
                        }

                    Assert.Equal(sum, y[0, c, i, j].item<float>(), 4);
                }
    }

    [Fact]
    public void Initialization_ResidualBranchNorms_StartAtZero()
    {
        using var model = TResNet.TResNetM(10);
        using var scope = torch.NewDisposeScope();
        var sd = model.state_dict();
        Assert.Equal(0f, sd["body.layer1.0.conv2.bn.weight"].abs().max().item<float>());
        Assert.Equal(0f, sd["body.layer3.2.conv3.bn.weight"].abs().max().item<float>());
        Assert.Equal(1f, sd["body.layer3.2.conv2.bn.weight"].min().item<float>());
    }

    private static int Reflect(int index, int size) => index < 0 ? -index : index >= size ? 2 * size - 2 - index : index;
}
