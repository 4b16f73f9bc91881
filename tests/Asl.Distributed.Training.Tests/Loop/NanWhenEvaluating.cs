using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Tests.Loop;

/// <summary>A model that trains normally but scores NaN in eval mode: a validation that meets diverged weights, deterministically.</summary>
internal sealed class NanWhenEvaluating : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> inner;

    public NanWhenEvaluating(int classes)
        : base(nameof(NanWhenEvaluating))
    {
        inner = InMemoryBatches.Mlp(classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var logits = inner.forward(input);
        return training ? logits : logits * float.NaN;
    }
}
