using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using SafeAdam = Asl.Distributed.Training.Optimizers.Adam;
using TorchSharpAdam = TorchSharp.Modules.Adam;

namespace Asl.Distributed.Training.Tests.Optimizers;

/// <summary>
/// The Adam that keeps its Scalars referenced (issue 15) must be TorchSharp's Adam in every observable respect:
/// parameters and state bit for bit under a changing schedule, and checkpoints that load into either.
/// </summary>
public sealed class AdamTests
{
    [Theory]
    [InlineData(1e-2, false, false)]
    [InlineData(0.0, false, false)]
    [InlineData(1e-2, true, false)]
    [InlineData(1e-2, false, true)]
    public void Step_ScheduledStepsOnTwoGroups_BitwiseEqualToTorchSharpAdam(double weightDecay, bool amsgrad, bool maximize)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(3);
        var initial = new[] { randn([3, 4], generator: generator), randn([3], generator: generator), randn([2], generator: generator) };
        var ours = Copy(initial);
        var theirs = Copy(initial);
        var ourAdam = new SafeAdam(Groups(ours, weightDecay, amsgrad, maximize));
        var theirAdam = torch.optim.Adam(Groups(theirs, weightDecay, amsgrad, maximize));

        for (int step = 0; step < 6; step++)
        {
            // What the OneCycle schedule does before each step: new learning rates and β1 in every group.
            foreach (var optimizer in new TorchSharpAdam[] { ourAdam, theirAdam })
            {
                foreach (var group in optimizer.ParamGroups.Cast<TorchSharpAdam.ParamGroup>())
                {
                    group.LearningRate = 1e-2 * (step + 1) / 6;
                    group.Betas = (0.95 - 0.02 * step, 0.99);
                }
            }
            // The third parameter never gets a gradient: both must skip it.
            for (int i = 0; i < 2; i++)
            {
                var gradient = randn(ours[i].shape, generator: generator);
                ours[i].grad = gradient.clone();
                theirs[i].grad = gradient.clone();
            }

            ourAdam.step();
            theirAdam.step();

            for (int i = 0; i < initial.Length; i++)
                Assert.True(ours[i].Equals(theirs[i]), $"parameter {i} differs after step {step + 1}");
        }

        var ourState = ourAdam.state_dict().State.Cast<TorchSharpAdam.State>().ToArray();
        var theirState = theirAdam.state_dict().State.Cast<TorchSharpAdam.State>().ToArray();
        Assert.Equal(theirState.Select(s => s.step), ourState.Select(s => s.step));
        Assert.Equal([6L, 6L, 0L], ourState.Select(s => s.step));
        for (int i = 0; i < ourState.Length; i++)
        {
            Assert.True(ourState[i].exp_avg.Equals(theirState[i].exp_avg), $"exp_avg {i} differs");
            Assert.True(ourState[i].exp_avg_sq.Equals(theirState[i].exp_avg_sq), $"exp_avg_sq {i} differs");
            Assert.Equal(amsgrad, ourState[i].max_exp_avg_sq is not null);
            if (amsgrad)
                Assert.True(ourState[i].max_exp_avg_sq.Equals(theirState[i].max_exp_avg_sq), $"max_exp_avg_sq {i} differs");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SaveStateDict_OfEitherAdam_LoadsIntoTheOtherAndContinuesIdentically(bool fromTorchSharp)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(5);
        var initial = new[] { randn([4, 2], generator: generator), randn([4], generator: generator) };
        var writerParameters = Copy(initial);
        TorchSharpAdam writer = fromTorchSharp
            ? torch.optim.Adam(Groups(writerParameters, 1e-2), 3e-3)
            : new SafeAdam(Groups(writerParameters, 1e-2), 3e-3);
        for (int step = 0; step < 3; step++)
        {
            foreach (var p in writerParameters)
                p.grad = randn(p.shape, generator: generator);
            writer.step();
        }
        using var saved = new MemoryStream();
        using (var binary = new BinaryWriter(saved, System.Text.Encoding.UTF8, leaveOpen: true))
            writer.save_state_dict(binary);

        var readerParameters = Copy(writerParameters);
        TorchSharpAdam reader = fromTorchSharp
            ? new SafeAdam(Groups(readerParameters, 1e-2), 3e-3)
            : torch.optim.Adam(Groups(readerParameters, 1e-2), 3e-3);
        saved.Position = 0;
        using (var binary = new BinaryReader(saved))
            reader.load_state_dict(binary);

        foreach (var (w, r) in writerParameters.Zip(readerParameters))
        {
            var gradient = randn(w.shape, generator: generator);
            w.grad = gradient.clone();
            r.grad = gradient.clone();
        }
        writer.step();
        reader.step();
        Assert.All(writerParameters.Zip(readerParameters), pair => Assert.True(pair.First.Equals(pair.Second)));
        Assert.Equal(4L, reader.state_dict().State.Cast<TorchSharpAdam.State>().First().step);
    }

    /// <summary>The trainer's layout: weight decay on the first parameter only. Groups override the optimizer's defaults.</summary>
    internal static TorchSharpAdam.ParamGroup[] Groups(Parameter[] parameters, double weightDecay, bool amsgrad = false, bool maximize = false) =>
    [
        new TorchSharpAdam.ParamGroup(parameters.Take(1), 1e-3, 0.9, 0.999, 1e-8, weightDecay, amsgrad, maximize),
        new TorchSharpAdam.ParamGroup(parameters.Skip(1), 1e-3, 0.9, 0.999, 1e-8, 0, amsgrad, maximize),
    ];

    internal static Parameter[] Copy(Tensor[] tensors) =>
        tensors.Select(t => new Parameter(t.detach().clone())).ToArray();
}
