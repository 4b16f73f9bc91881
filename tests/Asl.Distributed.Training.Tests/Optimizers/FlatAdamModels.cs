using Asl.Distributed.Training.Loop;
using Asl.Distributed.Training.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using TorchSharpAdam = TorchSharp.Modules.Adam;

namespace Asl.Distributed.Training.Tests.Optimizers;

/// <summary>Models, batches and comparisons shared by the flat Adam tests; every value comes from a seeded generator.</summary>
internal static class FlatAdamModels
{
    public const int Classes = 5;

    /// <summary>A model of <paramref name="name"/> in training mode, its weights drawn from <paramref name="seed"/> (not from torch's global generator).</summary>
    public static nn.Module<Tensor, Tensor> Create(string name, int size, int seed = 7)
    {
        var model = ModelFactory.Create(name, Classes, size);
        var generator = new Generator((ulong)seed);
        using var noGrad = torch.no_grad();
        foreach (var p in model.parameters())
        {
            using var values = randn(p.shape, generator: generator);
            p.copy_(values.mul_(0.1));
        }
        model.train();
        return model;
    }

    /// <summary>Batch <paramref name="index"/> of a seeded stream: images in [0, 1) and multi-hot targets.</summary>
    public static (Tensor Images, Tensor Targets) Batch(int size, int index, int batchSize = 4)
    {
        var generator = new Generator((ulong)(1000 + index));
        var images = rand([batchSize, 3, size, size], generator: generator);
        var targets = rand([batchSize, Classes], generator: generator).lt(0.3).to(ScalarType.Float32);
        return (images, targets);
    }

    /// <summary>The trainer's two groups (weight decay on weights only) with the given options.</summary>
    public static TorchSharpAdam.ParamGroup[] Groups(nn.Module model, double weightDecay, bool amsgrad = false, bool maximize = false)
    {
        var (decay, noDecay) = ParameterGroups.Split(model);
        return
        [
            new TorchSharpAdam.ParamGroup(decay.Select(p => p.Parameter), 1e-3, 0.9, 0.999, 1e-8, weightDecay, amsgrad, maximize),
            new TorchSharpAdam.ParamGroup(noDecay.Select(p => p.Parameter), 1e-3, 0.9, 0.999, 1e-8, 0, amsgrad, maximize),
        ];
    }

    /// <summary>What the OneCycle schedule does before a step: a new learning rate and β1 in every group.</summary>
    public static void Schedule(TorchSharpAdam optimizer, int step)
    {
        foreach (var group in optimizer.ParamGroups.Cast<TorchSharpAdam.ParamGroup>())
        {
            group.LearningRate = 1e-2 * (step + 1) / 6;
            group.Betas = (0.95 - 0.02 * step, 0.99);
        }
    }

    /// <summary>A loss with gradients everywhere; its value does not matter.</summary>
    public static Tensor Loss(nn.Module<Tensor, Tensor> model, Tensor images, Tensor targets) =>
        model.forward(images).sigmoid().sub(targets).square().sum();

    /// <summary>Whether two contiguous CPU tensors hold the same bytes (NaN payloads and signed zeros included).</summary>
    public static bool SameBits(Tensor a, Tensor b) =>
        a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) && a.bytes.SequenceEqual(b.bytes);

    /// <summary>
    /// Asserts every parameter, Adam state tensor and (with <paramref name="buffers"/>) buffer of the two runs bitwise
    /// equal, naming the first that differs.
    /// </summary>
    public static void AssertSameBits(nn.Module expectedModel, TorchSharpAdam expected, nn.Module actualModel, TorchSharpAdam actual, string context, bool buffers = true)
    {
        foreach (var ((name, e), (_, a)) in expectedModel.named_parameters().Zip(actualModel.named_parameters()))
            Assert.True(SameBits(e, a), $"{context}: parameter {name} differs");
        foreach (var ((name, e), (_, a)) in buffers ? expectedModel.named_buffers().Zip(actualModel.named_buffers()) : [])
            Assert.True(SameBits(e, a), $"{context}: buffer {name} differs");
        var expectedState = expected.state_dict().State.Cast<TorchSharpAdam.State>().ToArray();
        var actualState = actual.state_dict().State.Cast<TorchSharpAdam.State>().ToArray();
        Assert.Equal(expectedState.Length, actualState.Length);
        for (int i = 0; i < expectedState.Length; i++)
        {
            Assert.Equal(expectedState[i].step, actualState[i].step);
            Assert.True(SameBits(expectedState[i].exp_avg, actualState[i].exp_avg), $"{context}: exp_avg of state {i} differs");
            Assert.True(SameBits(expectedState[i].exp_avg_sq, actualState[i].exp_avg_sq), $"{context}: exp_avg_sq of state {i} differs");
            Assert.Equal(expectedState[i].max_exp_avg_sq is null, actualState[i].max_exp_avg_sq is null);
            if (expectedState[i].max_exp_avg_sq is { } max)
                Assert.True(SameBits(max, actualState[i].max_exp_avg_sq), $"{context}: max_exp_avg_sq of state {i} differs");
        }
    }

    /// <summary>Gives every trainable parameter a zero gradient, as the flat layout does, so backward accumulates alike on both sides.</summary>
    public static void ZeroGradients(nn.Module model)
    {
        foreach (var p in model.parameters())
            p.grad = zeros_like(p);
    }
}
