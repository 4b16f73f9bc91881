using Asl.Distributed.Training.Models;
using TorchSharp;

namespace Asl.Distributed.Training.Tests.Models;

/// <summary>Every factory name builds a model mapping [B, 3, H, W] to [B, K].</summary>
public sealed class ModelFactoryTests
{
    [Theory]
    [InlineData("resnet18", "fc")]
    [InlineData("resnet50", "fc")]
    [InlineData("resnet101", "fc")]
    [InlineData("tresnet_m", "head.fc")]
    [InlineData("tresnet_l", "head.fc")]
    [InlineData("small_cnn", "fc")]
    [InlineData("mlp", "fc")]
    public void Create_EveryName_ForwardGivesBatchByClasses(string name, string headName)
    {
        torch.manual_seed(11);
        using var model = ModelFactory.Create(name, numClasses: 7, imageSize: 64);
        model.eval();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var logits = model.call(torch.randn(2, 3, 64, 64));

        Assert.Equal(new long[] { 2, 7 }, logits.shape);
        Assert.True(logits.isfinite().all().item<bool>());
        Assert.Equal(headName, model.HeadName);
        Assert.Equal(7, model.NumClasses);
        var keys = model.state_dict().Keys;
        Assert.All(model.HeadParameterNames, k => Assert.Contains(k, keys));
        Assert.Equal(new long[] { 7 }, model.state_dict()[$"{headName}.bias"].shape);
    }

    [Theory]
    [InlineData("tresnet_m", 448)]
    [InlineData("tresnet_l", 224)]
    [InlineData("resnet101", 224)]
    public void Create_LargeModelAtTrainingSize_ForwardGivesLogits(string name, int size)
    {
        torch.manual_seed(12);
        using var model = ModelFactory.Create(name, numClasses: 80);
        model.eval();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var logits = model.call(torch.randn(1, 3, size, size));
        Assert.Equal(new long[] { 1, 80 }, logits.shape);
    }

    [Fact]
    public void Create_SmallCnn_BackwardReachesEveryParameter()
    {
        torch.manual_seed(13);
        using var model = ModelFactory.Create("small_cnn", numClasses: 5);
        using var scope = torch.NewDisposeScope();
        var loss = model.call(torch.randn(4, 3, 96, 96)).square().sum();
        loss.backward();
        Assert.All(model.parameters(), p => Assert.True(p.grad is not null && p.grad.abs().sum().item<float>() > 0));
    }

    // In-place activations and residual adds must leave autograd's saved tensors intact in training mode.
    [Theory]
    [InlineData("resnet18")]
    [InlineData("tresnet_m")]
    public void Create_BackboneInTrainingMode_BackwardGivesFiniteGradients(string name)
    {
        torch.manual_seed(14);
        using var model = ModelFactory.Create(name, numClasses: 5);
        model.train();
        using var scope = torch.NewDisposeScope();
        var loss = model.call(torch.randn(2, 3, 64, 64)).square().sum();
        loss.backward();
        foreach (var (key, p) in model.named_parameters())
        {
            Assert.True(p.grad is not null, key);
            Assert.True(p.grad.isfinite().all().item<bool>(), key);
        }

        var headGrad = model.named_parameters().Single(kv => kv.name == model.HeadName + ".weight").parameter.grad!;
        Assert.True(headGrad.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void Create_UnknownName_ThrowsListingAllowedNames()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelFactory.Create("resnet34", 10));
        Assert.Contains("resnet34", e.Message);
        foreach (var name in ModelFactory.Names)
            Assert.Contains(name, e.Message);
    }

    [Fact]
    public void Create_ZeroClasses_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelFactory.Create("mlp", 0));
    }

    [Fact]
    public void Create_NameInOtherCase_IsAccepted()
    {
        using var model = ModelFactory.Create("Small_CNN", 3);
        Assert.IsType<SmallCnn>(model);
    }

    [Fact]
    public void Mlp_WrongImageSize_ThrowsNamingExpectedSize()
    {
        using var model = new Mlp(numClasses: 3, imageSize: 8, hiddenSize: 4);
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => model.call(torch.zeros(1, 3, 9, 9)));
        Assert.Contains("192", e.Message);
    }

    [Fact]
    public void Mlp_ParameterCount_EqualsClosedForm()
    {
        using var model = new Mlp(numClasses: 10, imageSize: 16, hiddenSize: 32);
        Assert.Equal(768L * 32 + 32 + 32 * 10 + 10, model.ParameterCount());
    }

    [Fact]
    public void SmallCnn_ParameterCount_EqualsClosedForm()
    {
        using var model = new SmallCnn(numClasses: 10, width: 8, depth: 3);
        // convs 3→8→16→32 (3×3, no bias), batch-norm affine pairs, linear 32→10.
        long expected = (3 * 8 + 8 * 16 + 16 * 32) * 9 + 2 * (8 + 16 + 32) + 32 * 10 + 10;
        Assert.Equal(expected, model.ParameterCount());
    }
}
