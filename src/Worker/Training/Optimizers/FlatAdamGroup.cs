using static TorchSharp.torch;

namespace Asl.Distributed.Training.Optimizers;

/// <summary>One parameter group's contiguous slices of the flat parameter, gradient and Adam state buffers.</summary>
/// <param name="Data">The group's parameters.</param>
/// <param name="Grad">Their gradients.</param>
/// <param name="ExpAvg">Adam's first moments.</param>
/// <param name="ExpAvgSq">Adam's second moments.</param>
/// <param name="MaxExpAvgSq">The amsgrad maxima, or null without amsgrad.</param>
internal sealed record FlatAdamGroup(Tensor Data, Tensor Grad, Tensor ExpAvg, Tensor ExpAvgSq, Tensor? MaxExpAvgSq) : IDisposable
{
    public void Dispose()
    {
        Data.Dispose();
        Grad.Dispose();
        ExpAvg.Dispose();
        ExpAvgSq.Dispose();
        MaxExpAvgSq?.Dispose();
    }
}
