using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using SafeAdam = Asl.Distributed.Training.Optimizers.Adam;
using TorchSharpAdam = TorchSharp.Modules.Adam;

namespace Asl.Distributed.Training.Tests.Optimizers;

/// <summary>
/// The flat step (issue 17 §2) must be TorchSharp's per-parameter Adam bit for bit on the CPU: every parameter and every
/// state tensor, after several scheduled steps on two groups with weight decay on one.
/// </summary>
public sealed class FlatAdamTests
{
    [Theory]
    [InlineData(1e-2, false, false)]
    [InlineData(0.0, false, false)]
    [InlineData(1e-2, true, false)]
    [InlineData(1e-2, false, true)]
    public void Step_OddSizedParametersOnTwoGroups_BitwiseEqualToTorchSharpAdam(double weightDecay, bool amsgrad, bool maximize)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(11);
        // Sizes that are no multiple of any vector width, so kernel tails fall elsewhere in the flat buffer than in each tensor.
        long[][] shapes = [[13, 7], [5], [1], [3, 3, 3, 3], [33], [1003], [17, 1, 3]];
        var initial = shapes.Select(s => randn(s, generator: generator)).ToArray();
        var ours = AdamTests.Copy(initial);
        var theirs = AdamTests.Copy(initial);
        var ourAdam = new SafeAdam(Groups(ours, weightDecay, amsgrad, maximize), flat: true);
        var theirAdam = torch.optim.Adam(Groups(theirs, weightDecay, amsgrad, maximize));

        for (int step = 0; step < 6; step++)
        {
            FlatAdamModels.Schedule(ourAdam, step);
            FlatAdamModels.Schedule(theirAdam, step);
            for (int i = 0; i < ours.Length; i++)
            {
                using var gradient = randn(ours[i].shape, generator: generator);
                using (var g = ours[i].grad!)
                    g.copy_(gradient);
                theirs[i].grad = gradient.clone();
            }

            ourAdam.step();
            theirAdam.step();

            for (int i = 0; i < ours.Length; i++)
                Assert.True(FlatAdamModels.SameBits(theirs[i], ours[i]), $"parameter {i} differs after step {step + 1}");
        }
        var ourState = ourAdam.state_dict().State.Cast<TorchSharpAdam.State>().ToArray();
        var theirState = theirAdam.state_dict().State.Cast<TorchSharpAdam.State>().ToArray();
        Assert.All(ourState, s => Assert.Equal(6L, s.step));
        for (int i = 0; i < ourState.Length; i++)
        {
            Assert.True(FlatAdamModels.SameBits(theirState[i].exp_avg, ourState[i].exp_avg), $"exp_avg {i} differs");
            Assert.True(FlatAdamModels.SameBits(theirState[i].exp_avg_sq, ourState[i].exp_avg_sq), $"exp_avg_sq {i} differs");
            Assert.Equal(amsgrad, ourState[i].max_exp_avg_sq is not null);
            if (amsgrad)
                Assert.True(FlatAdamModels.SameBits(theirState[i].max_exp_avg_sq, ourState[i].max_exp_avg_sq), $"max_exp_avg_sq {i} differs");
        }
    }

    [Theory]
    [InlineData("small_cnn", 32)]
    [InlineData("resnet18", 32)]
    public void Step_ModelWithBatchNormOnTwoGroups_BitwiseEqualToTorchSharpAdam(string name, int size)
    {
        using var scope = NewDisposeScope();
        var ourModel = FlatAdamModels.Create(name, size);
        var theirModel = FlatAdamModels.Create(name, size);
        var ourAdam = new SafeAdam(FlatAdamModels.Groups(ourModel, 1e-2), flat: true);
        var theirAdam = torch.optim.Adam(FlatAdamModels.Groups(theirModel, 1e-2));
        FlatAdamModels.ZeroGradients(theirModel);

        for (int step = 0; step < 4; step++)
        {
            using var stepScope = NewDisposeScope();
            var (images, targets) = FlatAdamModels.Batch(size, step);
            foreach (var (model, adam) in new (nn.Module<Tensor, Tensor>, TorchSharpAdam)[] { (ourModel, ourAdam), (theirModel, theirAdam) })
            {
                FlatAdamModels.Schedule(adam, step);
                adam.zero_grad();
                FlatAdamModels.Loss(model, images, targets).backward();
                adam.step();
            }
            FlatAdamModels.AssertSameBits(theirModel, theirAdam, ourModel, ourAdam, $"{name} after step {step + 1}");
        }
        Assert.All(ourAdam.state_dict().State.Cast<TorchSharpAdam.State>(), s => Assert.Equal(4L, s.step));
    }

    [Fact]
    public void Constructor_Flat_ParametersBecomeViewsThatTheModelAndBackwardStillUse()
    {
        using var scope = NewDisposeScope();
        var model = FlatAdamModels.Create("small_cnn", 16);
        var before = model.named_parameters().Select(p => (p.name, p.parameter, Values: p.parameter.detach().clone())).ToArray();

        var adam = new SafeAdam(FlatAdamModels.Groups(model, 1e-2), flat: true);
        var flat = adam.Flat!;

        // The same parameter objects, holding the same values, now inside the flat buffer.
        Assert.Equal(before.Select(b => b.parameter), model.parameters());
        Assert.Equal(before.Length, flat.Parameters.Count);
        foreach (var (name, parameter, values) in before)
        {
            int index = flat.IndexOf(parameter);
            Assert.True(index >= 0, $"{name} is not in the layout");
            Assert.True(FlatAdamModels.SameBits(values, parameter), $"{name} changed value when it moved");
            using var view = flat.View(flat.Data, index);
            Assert.True(FlatAdamModels.SameBits(values, view), $"{name} is not where the layout says");
        }
        // Writing the buffer writes the parameters, and the state dict sees it.
        using (torch.no_grad())
            flat.Data.fill_(0.25f);
        Assert.All(model.state_dict().Where(e => before.Any(b => b.name == e.Key)), e => Assert.Equal(0.25f, e.Value.max().item<float>()));
        // Backward writes into the flat gradient buffer.
        var (images, targets) = FlatAdamModels.Batch(16, 0);
        FlatAdamModels.Loss(model, images, targets).backward();
        Assert.True(flat.Grad.abs().sum().item<float>() > 0, "backward wrote nothing into the flat gradient buffer");
        for (int i = 0; i < flat.Parameters.Count; i++)
        {
            using var grad = flat.Parameters[i].grad!;
            using var view = flat.View(flat.Grad, i);
            Assert.True(FlatAdamModels.SameBits(grad, view), $"gradient {i} is not its view of the buffer");
        }
    }

    [Fact]
    public void Constructor_Flat_EachGroupIsContiguousInReverseRegistrationOrder()
    {
        using var scope = NewDisposeScope();
        var model = nn.Sequential(("a", nn.Linear(10, 20)), ("b", nn.Linear(20, 30)), ("c", nn.Linear(30, 4)));
        var adam = new SafeAdam(FlatAdamModels.Groups(model, 1e-2), flat: true);
        var flat = adam.Flat!;
        var named = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);

        // Weights (decay) c, b, a, then biases (no decay) c, b, a.
        string[] order = ["c.weight", "b.weight", "a.weight", "c.bias", "b.bias", "a.bias"];
        Assert.Equal(order.Select(n => flat.IndexOf(named[n])), Enumerable.Range(0, order.Length));
        Assert.Equal([0L, 120, 720, 920, 924, 954], Enumerable.Range(0, order.Length).Select(flat.OffsetOf));
        Assert.Equal((0L, 920L), flat.GroupRange(0));
        Assert.Equal((920L, 54L), flat.GroupRange(1));
        Assert.Equal(974, flat.Length);
    }

    [Fact]
    public void Step_FlatAdamBuiltInADisposeScopeThatHasEnded_StillSteps()
    {
        var model = FlatAdamModels.Create("mlp", 8);
        SafeAdam adam;
        using (NewDisposeScope())
            adam = new SafeAdam(FlatAdamModels.Groups(model, 1e-2), flat: true);
        using var scope = NewDisposeScope();
        var (images, targets) = FlatAdamModels.Batch(8, 0);
        var before = model.parameters().First().detach().clone();

        for (int step = 0; step < 2; step++)
        {
            using var stepScope = NewDisposeScope();
            adam.zero_grad();
            FlatAdamModels.Loss(model, images, targets).backward();
            adam.step();
        }

        adam.Flat!.Check();
        Assert.False(FlatAdamModels.SameBits(before, model.parameters().First()), "the step did not move the weights");
        adam.Dispose();
    }

    [Fact]
    public void ZeroGrad_Flat_ZeroesEveryGradientAndKeepsTheViews()
    {
        using var scope = NewDisposeScope();
        var model = FlatAdamModels.Create("mlp", 8);
        var adam = new SafeAdam(FlatAdamModels.Groups(model, 1e-2), flat: true);
        var (images, targets) = FlatAdamModels.Batch(8, 0);
        FlatAdamModels.Loss(model, images, targets).backward();
        Assert.True(adam.Flat!.Grad.abs().sum().item<float>() > 0);

        adam.zero_grad();

        Assert.Equal(0f, adam.Flat.Grad.abs().sum().item<float>());
        adam.Flat.Check();
        FlatAdamModels.Loss(model, images, targets).backward();
        Assert.True(adam.Flat.Grad.abs().sum().item<float>() > 0, "backward no longer writes into the buffer after zero_grad");
    }

    [Fact]
    public void Step_AfterModuleZeroGrad_ThrowsSayingTheGradientIsGone()
    {
        using var scope = NewDisposeScope();
        var model = FlatAdamModels.Create("mlp", 8);
        var adam = new SafeAdam(FlatAdamModels.Groups(model, 1e-2), flat: true);
        var (images, targets) = FlatAdamModels.Batch(8, 0);
        FlatAdamModels.Loss(model, images, targets).backward();

        model.zero_grad();

        var error = Assert.Throws<InvalidOperationException>(() => adam.step());
        Assert.Contains("has no gradient", error.Message);
        Assert.Contains("Module.zero_grad()", error.Message);
    }

    [Fact]
    public void AddParamGroup_Flat_IsRefused()
    {
        using var scope = NewDisposeScope();
        var adam = new SafeAdam(AdamTests.Groups(AdamTests.Copy([ones(3, 2), ones(2)]), 0), flat: true);

        var error = Assert.Throws<NotSupportedException>(() => adam.add_param_group(new TorchSharpAdam.ParamGroup([new Parameter(ones(4))])));
        Assert.Contains("constructor", error.Message);
    }

    [Fact]
    public void Constructor_FlatWithAFloat64Parameter_ThrowsNamingItsTypeAndShape()
    {
        using var scope = NewDisposeScope();
        var parameters = new[] { new Parameter(ones(3, 2)), new Parameter(ones([4], ScalarType.Float64)) };

        var error = Assert.Throws<NotSupportedException>(() => new SafeAdam(AdamTests.Groups(parameters, 0), flat: true));
        Assert.Contains("float32", error.Message);
        Assert.Contains("[4]", error.Message);
        Assert.Contains("Float64", error.Message);
    }

    /// <summary>Weight decay on the parameters with two or more dimensions, as the trainer splits them.</summary>
    private static TorchSharpAdam.ParamGroup[] Groups(Parameter[] parameters, double weightDecay, bool amsgrad, bool maximize) =>
    [
        new TorchSharpAdam.ParamGroup(parameters.Where(p => p.dim() > 1), 1e-3, 0.9, 0.999, 1e-8, weightDecay, amsgrad, maximize),
        new TorchSharpAdam.ParamGroup(parameters.Where(p => p.dim() <= 1), 1e-3, 0.9, 0.999, 1e-8, 0, amsgrad, maximize),
    ];
}
