using Asl.Distributed.Training.Tests.Finalizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using SafeAdam = Asl.Distributed.Training.Optimizers.Adam;
using TorchSharpAdam = TorchSharp.Modules.Adam;

namespace Asl.Distributed.Training.Tests.Optimizers;

/// <summary>
/// Issue 15 beyond BatchNorm: TorchSharp's Adam leaves its per-step Scalars to finalizers, so a collection on
/// another thread can free one while libtorch reads it; the trainer's Adam must leave none.
/// </summary>
[Collection(ProcessWideGarbageCollection.Name)]
public sealed class AdamFinalizerTests
{
    private const int Steps = 5;

    [Fact]
    public void Step_TorchSharpAdam_LeavesEightScalarsPerParameterAndOneMorePerDecayedOneToFinalizers()
    {
        using var scope = NewDisposeScope();
        var parameters = Parameters();
        var adam = torch.optim.Adam(AdamTests.Groups(parameters, 1e-2));

        long scalars = CountFinalizedScalars(adam, parameters);

        // mul_(β1), add_(g, α), mul_(β2), addcmul_(…, v), ÷ √c2, add_(ε) with its own α of 1, addcdiv_(…, v); + add(p, α: wd).
        Assert.Equal(Steps * (8 * parameters.Length + 1), scalars);
    }

    [Fact]
    public void Step_Adam_LeavesNoScalarToFinalizers()
    {
        using var scope = NewDisposeScope();
        var parameters = Parameters();
        var adam = new SafeAdam(AdamTests.Groups(parameters, 1e-2, amsgrad: true, maximize: true));

        Assert.Equal(0, CountFinalizedScalars(adam, parameters));
    }

    private static Parameter[] Parameters()
    {
        var generator = new Generator(9);
        return AdamTests.Copy([randn([3, 4], generator: generator), randn([3], generator: generator), randn([5], generator: generator)]);
    }

    private static long CountFinalizedScalars(TorchSharpAdam adam, Parameter[] parameters)
    {
        var generator = new Generator(10);
        var gradients = parameters.Select(p => randn(p.shape, generator: generator)).ToArray();
        using var counter = FinalizedHandleCounter.Start();
        for (int step = 0; step < Steps; step++)
        {
            using var stepScope = NewDisposeScope();
            for (int i = 0; i < parameters.Length; i++)
                parameters[i].grad = gradients[i].clone();
            adam.step();
        }
        counter.FinalizeAll();
        Assert.Equal(0, counter.Tensors);
        return counter.Scalars;
    }
}
