using Asl.Distributed.Training.Loop;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Tests.Loop;

public sealed class ModelEmaTests
{
    [Fact]
    public void Update_TwoSteps_EqualsClosedFormForWeightsAndBuffersAndCopiesIntegers()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(1);
        var model = nn.Sequential(("fc", nn.Linear(3, 2)), ("bn", nn.BatchNorm1d(2)));
        var emaModel = nn.Sequential(("fc", nn.Linear(3, 2)), ("bn", nn.BatchNorm1d(2)));
        var ema = new ModelEma(emaModel, model, decay: 0.9);
        var w0 = model.state_dict()["fc.weight"].clone();

        using (torch.no_grad())
        {
            model.state_dict()["fc.weight"].add_(1);
            model.state_dict()["bn.running_mean"].fill_(2);
            model.state_dict()["bn.num_batches_tracked"].fill_(5);
        }
        ema.Update();
        ema.Update();

        // After two updates with the model held at w0 + 1: ema = w0 + (1 − 0.9²)·1 = w0 + 0.19.
        var expected = w0 + 0.19;
        Assert.True(emaModel.state_dict()["fc.weight"].allclose(expected, rtol: 1e-6, atol: 1e-7));
        Assert.Equal(2 * 0.19f, emaModel.state_dict()["bn.running_mean"][0].item<float>(), 5);
        Assert.Equal(5L, emaModel.state_dict()["bn.num_batches_tracked"].item<long>());
    }

    [Fact]
    public void ParameterGroups_Resnet_LikeModel_DecayOnlyOnWeightsOfTwoOrMoreDimensions()
    {
        using var scope = NewDisposeScope();
        var model = nn.Sequential(("conv", nn.Conv2d(3, 4, 3)), ("bn", nn.BatchNorm2d(4)), ("fc", nn.Linear(4, 2)));
        var (decay, noDecay) = ParameterGroups.Split(model);
        Assert.Equal(["conv.weight", "fc.weight"], decay.Select(p => p.Name));
        Assert.Equal(["conv.bias", "bn.weight", "bn.bias", "fc.bias"], noDecay.Select(p => p.Name));
    }
}
