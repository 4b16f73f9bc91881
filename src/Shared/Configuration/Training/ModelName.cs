using Asl.Distributed.Configuration.Schema;

namespace Asl.Distributed.Configuration.Training;

/// <summary>The architectures a run can train (config <c>model.name</c>; TorchVision and timm spellings).</summary>
public enum ModelName
{
    [ConfigName("resnet18")] ResNet18,
    [ConfigName("resnet50")] ResNet50,
    [ConfigName("resnet101")] ResNet101,
    [ConfigName("tresnet_m")] TResNetM,
    [ConfigName("tresnet_l")] TResNetL,
    [ConfigName("small_cnn")] SmallCnn,
    [ConfigName("mlp")] Mlp,
}
