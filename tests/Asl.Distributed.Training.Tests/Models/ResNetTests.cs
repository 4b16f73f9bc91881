using Asl.Distributed.Training.Models;
using TorchSharp;

namespace Asl.Distributed.Training.Tests.Models;

/// <summary>ResNets against TorchVision's published parameter counts and state-dict layout.</summary>
public sealed class ResNetTests
{
    [Theory]
    [InlineData("resnet18", 11_689_512L)]
    [InlineData("resnet50", 25_557_032L)]
    [InlineData("resnet101", 44_549_160L)]
    public void ParameterCount_ImageNetHead_EqualsTorchVision(string name, long published)
    {
        using var model = ModelFactory.Create(name, numClasses: 1000);
        Assert.Equal(published, model.ParameterCount());
    }

    [Fact]
    public void StateDict_ResNet18_HasTorchVisionKeys()
    {
        using var model = ResNet.ResNet18(1000);
        using var scope = torch.NewDisposeScope();
        var sd = model.state_dict();

        // TorchVision: 20 convs, 20 batch norms (weight, bias, running_mean, running_var, num_batches_tracked), fc.
        Assert.Equal(20 + 20 * 5 + 2, sd.Count);
        string[] bn = ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"];
        var expected = new List<string> { "conv1.weight" };
        expected.AddRange(bn.Select(s => $"bn1.{s}"));
        foreach (var block in new[] { "layer1.0", "layer2.0" })
        {
            expected.Add($"{block}.conv1.weight");
            expected.AddRange(bn.Select(s => $"{block}.bn1.{s}"));
            expected.Add($"{block}.conv2.weight");
            expected.AddRange(bn.Select(s => $"{block}.bn2.{s}"));
        }

        expected.Add("layer2.0.downsample.0.weight");
        expected.AddRange(bn.Select(s => $"layer2.0.downsample.1.{s}"));
        expected.AddRange(["fc.weight", "fc.bias"]);
        foreach (var key in expected)
            Assert.Contains(key, sd.Keys);

        Assert.DoesNotContain("layer1.0.downsample.0.weight", sd.Keys);
        foreach (var stage in new[] { "layer1", "layer2", "layer3", "layer4" })
            Assert.Equal(2, sd.Keys.Where(k => k.StartsWith(stage + ".")).Select(k => k.Split('.')[1]).Distinct().Count());
        Assert.Equal(new long[] { 128, 64, 1, 1 }, sd["layer2.0.downsample.0.weight"].shape);
        Assert.Equal(new long[] { 1000, 512 }, sd["fc.weight"].shape);
    }

    [Fact]
    public void StateDict_ResNet50_StrideOnThreeByThreeConv()
    {
        using var model = ResNet.ResNet50(10);
        using var scope = torch.NewDisposeScope();
        var sd = model.state_dict();
        Assert.Equal(new long[] { 64, 256, 1, 1 }, sd["layer1.1.conv1.weight"].shape);
        Assert.Equal(new long[] { 128, 128, 3, 3 }, sd["layer2.0.conv2.weight"].shape);
        Assert.Equal(new long[] { 2048, 1024, 1, 1 }, sd["layer4.0.downsample.0.weight"].shape);
        Assert.Equal(new long[] { 10, 2048 }, sd["fc.weight"].shape);
        Assert.Equal(6, sd.Keys.Where(k => k.StartsWith("layer3.")).Select(k => k.Split('.')[1]).Distinct().Count());
    }

    [Fact]
    public void Forward_StridedBlock_HalvesResolutionAtStrideTwo()
    {
        torch.manual_seed(1);
        using var block = new ResNetBottleneck(64, 32, stride: 2, torch.nn.Sequential(
            torch.nn.Conv2d(64, 128, kernel_size: 1, stride: 2, bias: false), torch.nn.BatchNorm2d(128)));
        using var scope = torch.NewDisposeScope();
        var y = block.call(torch.randn(2, 64, 16, 16));
        Assert.Equal(new long[] { 2, 128, 8, 8 }, y.shape);
        Assert.True(y.min().item<float>() >= 0f);
    }

    [Fact]
    public void Initialization_Convolutions_HeNormalFanOut()
    {
        torch.manual_seed(3);
        using var model = ResNet.ResNet50(10);
        using var scope = torch.NewDisposeScope();
        var w = model.state_dict()["layer3.0.conv2.weight"];
        // fan_out = 256 · 3 · 3; std = sqrt(2 / fan_out) for ReLU gain.
        double expectedStd = Math.Sqrt(2.0 / (256 * 9));
        Assert.InRange(w.std().item<float>(), expectedStd * 0.97, expectedStd * 1.03);
        Assert.Equal(1f, model.state_dict()["layer3.0.bn3.weight"].min().item<float>());
    }
}
