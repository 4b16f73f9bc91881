namespace Asl.Distributed.Training.Models;

/// <summary>Creates classifiers by the names configs use (timm/TorchVision spelling).</summary>
public static class ModelFactory
{
    /// <summary>The accepted model names.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["resnet18", "resnet50", "resnet101", "tresnet_m", "tresnet_l", "small_cnn", "mlp"];

    /// <summary>
    /// Creates the model <paramref name="name"/> with <paramref name="numClasses"/> outputs. Only <c>mlp</c> depends
    /// on <paramref name="imageSize"/> (its input width); the others accept any size their strides allow.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="Names"/>.</exception>
    public static ImageClassifier Create(string name, int numClasses, int imageSize = 224)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numClasses);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageSize);
        return name.Trim().ToLowerInvariant() switch
        {
            "resnet18" => ResNet.ResNet18(numClasses),
            "resnet50" => ResNet.ResNet50(numClasses),
            "resnet101" => ResNet.ResNet101(numClasses),
            "tresnet_m" => TResNet.TResNetM(numClasses),
            "tresnet_l" => TResNet.TResNetL(numClasses),
            "small_cnn" => new SmallCnn(numClasses),
            "mlp" => new Mlp(numClasses, imageSize),
            _ => throw new ArgumentException(
                $"Unknown model '{name}'. Allowed: {string.Join(", ", Names)}.", nameof(name)),
        };
    }
}
