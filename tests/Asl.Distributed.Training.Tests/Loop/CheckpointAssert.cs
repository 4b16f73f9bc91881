using Asl.Distributed.Training.Loop;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Tests.Loop;

/// <summary>Comparisons of the models stored in checkpoints.</summary>
internal static class CheckpointAssert
{
    /// <summary>Both checkpoints hold bitwise the same weights of the <see cref="InMemoryBatches.Mlp"/> for <paramref name="classes"/> classes.</summary>
    public static void SameMlpWeights(string first, string second, int classes)
    {
        using var scope = NewDisposeScope();
        var a = InMemoryBatches.Mlp(classes);
        var b = InMemoryBatches.Mlp(classes);
        CheckpointFile.ReadModel(first, a);
        CheckpointFile.ReadModel(second, b);
        foreach (var ((name, pa), (_, pb)) in a.named_parameters().Zip(b.named_parameters()))
            Assert.True(pa.eq(pb).all().item<bool>(), $"{name} differs");
    }
}
