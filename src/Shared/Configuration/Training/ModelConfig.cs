using Asl.Distributed.Configuration.Schema;

namespace Asl.Distributed.Configuration.Training;

/// <summary>The network (config section <c>model</c>).</summary>
public sealed class ModelConfig
{
    [Setting("Architecture (TorchVision and timm layouts).")]
    public ModelName Name { get; set; } = ModelName.SmallCnn;

    [Setting("Weights to start from: a TorchSharp, PyTorch (.pt/.pth) or safetensors file; a head of another class count is replaced.")]
    public string? Pretrained { get; set; }
}
