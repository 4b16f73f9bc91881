namespace Asl.Distributed.Configuration.Training;

/// <summary>The network (config section <c>model</c>).</summary>
public sealed class ModelConfig
{
    /// <summary>Allowed values of <see cref="Name"/>.</summary>
    public static readonly IReadOnlyList<string> Names = ["resnet18", "resnet50", "resnet101", "tresnet_m", "tresnet_l", "small_cnn", "mlp"];

    /// <summary>Architecture name.</summary>
    public string Name { get; set; } = "small_cnn";

    /// <summary>Weights to start from: a TorchSharp, PyTorch (.pt/.pth) or safetensors file; a head of another class count is replaced.</summary>
    public string? Pretrained { get; set; }

    internal void Validate(string prefix) => ConfigChecks.OneOf(Name, Names, $"{prefix}.name");
}
