using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Loop;

/// <summary>
/// The official script's weight-decay split: decay on weights (two or more dimensions), none on biases and other
/// one-dimensional parameters (BatchNorm scales and shifts).
/// </summary>
public static class ParameterGroups
{
    /// <summary>Splits the trainable parameters of <paramref name="model"/> in registration order.</summary>
    public static (List<(string Name, Parameter Parameter)> Decay, List<(string Name, Parameter Parameter)> NoDecay) Split(nn.Module model)
    {
        var decay = new List<(string, Parameter)>();
        var noDecay = new List<(string, Parameter)>();
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (!parameter.requires_grad)
                continue;
            (parameter.dim() <= 1 ? noDecay : decay).Add((name, parameter));
        }
        return (decay, noDecay);
    }
}
