using Asl.Distributed.Training.Loop;
using Asl.Distributed.Training.Tests.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using SafeAdam = Asl.Distributed.Training.Optimizers.Adam;
using TorchSharpAdam = TorchSharp.Modules.Adam;

namespace Asl.Distributed.Training.Tests.Optimizers;

/// <summary>
/// Checkpoints keep TorchSharp's per-parameter layout whichever step wrote them: a checkpoint of the flat Adam loads into
/// TorchSharp's Adam and the other way round, and both runs then continue bit for bit alike.
/// </summary>
public sealed class FlatAdamCheckpointTests
{
    private const int Size = 16;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void CheckpointFile_WrittenByEitherLayout_LoadsIntoTheOtherAndBothContinueBitwiseAlike(bool writtenFlat)
    {
        using var scope = NewDisposeScope();
        using var folder = new ScratchDirectory();
        string path = folder.File("last.ckpt");
        var writerModel = FlatAdamModels.Create("small_cnn", Size);
        var writer = CreateAdam(writerModel, writtenFlat);
        for (int step = 0; step < 3; step++)
            Step(writerModel, writer, step);
        CheckpointFile.Write(path, new CheckpointState(1, 3, "", double.NaN, 0, null, "", 0), writerModel, null, writer);

        // Other initial weights: everything must come from the file.
        var readerModel = FlatAdamModels.Create("small_cnn", Size, seed: 99);
        var reader = CreateAdam(readerModel, !writtenFlat);
        CheckpointFile.Read(path, readerModel, null, reader);

        FlatAdamModels.AssertSameBits(writerModel, writer, readerModel, reader, "after loading");
        // The flat side's parameters and gradients are still views of its buffers after the load.
        ((SafeAdam)(writtenFlat ? writer : reader)).Flat!.Check();
        for (int step = 3; step < 5; step++)
        {
            Step(writerModel, writer, step);
            Step(readerModel, reader, step);
            FlatAdamModels.AssertSameBits(writerModel, writer, readerModel, reader, $"step {step + 1}, after resuming");
        }
        Assert.All(reader.state_dict().State.Cast<TorchSharpAdam.State>(), s => Assert.Equal(5L, s.step));
    }

    [Fact]
    public void LoadStateDict_StateDictionaryOfTorchSharpAdam_FlatTakesTheValuesIntoItsBuffersAndContinuesBitwise()
    {
        using var scope = NewDisposeScope();
        var theirModel = FlatAdamModels.Create("small_cnn", Size);
        var theirs = torch.optim.Adam(FlatAdamModels.Groups(theirModel, 1e-2, amsgrad: true));
        FlatAdamModels.ZeroGradients(theirModel);
        for (int step = 0; step < 2; step++)
            Step(theirModel, theirs, step);

        var ourModel = FlatAdamModels.Create("small_cnn", Size, seed: 99);
        var ours = new SafeAdam(FlatAdamModels.Groups(ourModel, 1e-2, amsgrad: true), flat: true);
        using (torch.no_grad())
        {
            foreach (var (o, t) in ourModel.parameters().Zip(theirModel.parameters()))
                o.copy_(t);
            foreach (var (o, t) in ourModel.buffers().Zip(theirModel.buffers()))
                o.copy_(t);
        }
        // This load replaces the state tensors with copies; the next step must bring them back into the flat buffers.
        ours.load_state_dict(theirs.state_dict());

        for (int step = 2; step < 4; step++)
        {
            Step(theirModel, theirs, step);
            Step(ourModel, ours, step);
            FlatAdamModels.AssertSameBits(theirModel, theirs, ourModel, ours, $"step {step + 1}");
        }
        var firstState = ours.state_dict().State.Cast<TorchSharpAdam.State>().First();
        using var inBuffer = ours.Flat!.View(ours.Flat.Data, 0);
        Assert.True(FlatAdamModels.SameBits(ours.Flat.Parameters[0], inBuffer));
        Assert.True(firstState.exp_avg.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void Step_CheckpointWhoseParametersMissedDifferentSteps_FlatMatchesTorchSharpPerParameter()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(21);
        var initial = new[] { randn([4, 3], generator: generator), randn([6, 2], generator: generator), randn([3], generator: generator), randn([5], generator: generator) };
        var theirs = AdamTests.Copy(initial);
        var theirAdam = torch.optim.Adam(AdamTests.Groups(theirs, 1e-2));
        // Groups {0} and {1, 2, 3}; only parameters 0 and 1 get gradients at first, so 2 and 3 fall behind 1 in the second group.
        for (int step = 0; step < 3; step++)
        {
            for (int i = 0; i < 2; i++)
                theirs[i].grad = randn(theirs[i].shape, generator: generator);
            theirAdam.step();
        }
        using var saved = new MemoryStream();
        using (var binary = new BinaryWriter(saved, System.Text.Encoding.UTF8, leaveOpen: true))
            theirAdam.save_state_dict(binary);
        var ours = AdamTests.Copy(theirs);
        var ourAdam = new SafeAdam(AdamTests.Groups(ours, 1e-2), flat: true);
        saved.Position = 0;
        using (var binary = new BinaryReader(saved))
            ourAdam.load_state_dict(binary);

        for (int step = 3; step < 6; step++)
        {
            for (int i = 0; i < ours.Length; i++)
            {
                using var gradient = randn(ours[i].shape, generator: generator);
                theirs[i].grad = gradient.clone();
                using var ourGrad = ours[i].grad!;
                ourGrad.copy_(gradient);
            }
            theirAdam.step();
            ourAdam.step();
            for (int i = 0; i < ours.Length; i++)
                Assert.True(FlatAdamModels.SameBits(theirs[i], ours[i]), $"parameter {i} differs after step {step + 1}");
        }
        Assert.Equal([6L, 6L, 3L, 3L], ourAdam.state_dict().State.Cast<TorchSharpAdam.State>().Select(s => s.step));
    }

    private static TorchSharpAdam CreateAdam(nn.Module model, bool flat)
    {
        if (flat)
            return new SafeAdam(FlatAdamModels.Groups(model, 1e-2), flat: true);
        var adam = torch.optim.Adam(FlatAdamModels.Groups(model, 1e-2));
        FlatAdamModels.ZeroGradients(model);
        return adam;
    }

    private static void Step(nn.Module<Tensor, Tensor> model, TorchSharpAdam adam, int step)
    {
        using var scope = NewDisposeScope();
        var (images, targets) = FlatAdamModels.Batch(Size, step);
        FlatAdamModels.Schedule(adam, step);
        adam.zero_grad();
        FlatAdamModels.Loss(model, images, targets).backward();
        adam.step();
    }
}
