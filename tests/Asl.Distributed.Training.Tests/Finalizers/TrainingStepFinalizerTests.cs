using Asl.Distributed.Losses;
using Asl.Distributed.Training.Loading;
using Asl.Distributed.Training.Loop;
using Asl.Distributed.Training.Losses;
using Asl.Distributed.Training.Models;
using TorchSharp;
using static TorchSharp.torch;
using Adam = Asl.Distributed.Training.Optimizers.Adam;

namespace Asl.Distributed.Training.Tests.Finalizers;

/// <summary>
/// Issue 15 end to end: every step of the trainer's sequence (batch to tensors, forward, loss, backward, the adaptive
/// asymmetry's sums, Adam, the EMA, an evaluation forward) in the configuration of the run that died must leave no
/// Scalar and no tensor to a finalizer, so no collection on the loader's threads can free one mid-call.
/// </summary>
[Collection(ProcessWideGarbageCollection.Name)]
public sealed class TrainingStepFinalizerTests
{
    private const int Classes = 10;
    private const int ImageSize = 64;

    [Theory]
    [InlineData(AsymmetricLossImplementation.Fused)] // what CPU runs use
    [InlineData(AsymmetricLossImplementation.Composite)] // what GPU runs use
    public void TrainingSteps_SmallCnnFocalEma_LeaveNoHandleToFinalizers(AsymmetricLossImplementation implementation)
    {
        torch.manual_seed(15);
        using var model = new SmallCnn(Classes);
        using var emaModel = new SmallCnn(Classes);
        model.train();
        var ema = new ModelEma(emaModel, model, decay: 0.99);
        var (decay, noDecay) = ParameterGroups.Split(model);
        var optimizer = new Adam(
        [
            new TorchSharp.Modules.Adam.ParamGroup(decay.Select(p => p.Parameter), 2e-4, 0.9, 0.999, 1e-8, 1e-4),
            new TorchSharp.Modules.Adam.ParamGroup(noDecay.Select(p => p.Parameter), 2e-4, 0.9, 0.999, 1e-8, 0),
        ]);
        using var loss = new AsymmetricLoss(AsymmetricLossOptions.Focal(), implementation);
        var batch = Batch();
        using var counter = FinalizedHandleCounter.Start();

        for (int step = 0; step < 3; step++)
        {
            using var scope = NewDisposeScope();
            var (images, targets) = batch.ToTensors();
            var logits = model.call(images);
            var value = loss.call(logits, targets);
            Assert.True(float.IsFinite(value.item<float>()));
            optimizer.zero_grad();
            value.backward();
            AdaptiveAsymmetry.GapSums(logits.detach(), targets);
            optimizer.step();
            ema.Update();
        }
        using (var scope = NewDisposeScope())
        using (var noGrad = no_grad())
        {
            var (images, targets) = batch.ToTensors();
            loss.call(((nn.Module<Tensor, Tensor>)ema.Ema).call(images), targets);
        }
        counter.FinalizeAll();

        Assert.Equal(0, counter.Scalars);
        Assert.Equal(0, counter.Tensors);
    }

    private static ImageBatch Batch()
    {
        var batch = new ImageBatch(capacity: 4, ImageSize, Classes) { Count = 4 };
        var random = new Random(15);
        for (int row = 0; row < batch.Count; row++)
        {
            foreach (ref float pixel in batch.PixelRow(row))
                pixel = random.NextSingle();
            batch.TargetRow(row)[row % Classes] = 1;
        }
        return batch;
    }
}
