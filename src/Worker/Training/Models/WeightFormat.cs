namespace Asl.Distributed.Training.Models;

/// <summary>On-disk formats of model weights.</summary>
public enum WeightFormat
{
    /// <summary>Detect from the file's first bytes (a zip is PyTorch, a JSON header is safetensors, else TorchSharp).</summary>
    Auto,

    /// <summary>TorchSharp's own format, as written by <c>Module.save</c>.</summary>
    TorchSharp,

    /// <summary>A PyTorch state dict written by <c>torch.save</c> (zip format, <c>.pt</c>/<c>.pth</c>/<c>.bin</c>).</summary>
    PyTorch,

    /// <summary>Hugging Face safetensors.</summary>
    Safetensors,
}
