namespace Asl.Distributed.Training.Devices;

/// <summary>libtorch could not be loaded from the folder <see cref="TorchNatives.Variable"/> names; the message says which file and why.</summary>
public sealed class TorchNativesException : Exception
{
    public TorchNativesException(string message)
        : base(message)
    {
    }

    public TorchNativesException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
