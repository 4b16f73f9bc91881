using Asl.Distributed.Configuration.Schema;
using Asl.Distributed.Configuration.Training;

namespace Asl.Distributed.Training.Models;

/// <summary>Creates classifiers by the names configs use (timm/TorchVision spelling).</summary>
public static class ModelFactory
{
    /// <summary>The accepted model names, in their config spelling.</summary>
    public static IReadOnlyList<string> Names => ConfigNames.Of<ModelName>();

    /// <summary>Creates the model called <paramref name="name"/> (any case); see <see cref="Create(ModelName, int, int)"/>.</summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="Names"/>.</exception>
    public static ImageClassifier Create(string name, int numClasses, int imageSize = 224)
    {
        ArgumentNullException.ThrowIfNull(name);
        return ConfigNames.TryParse(typeof(ModelName), name) is ModelName model
            ? Create(model, numClasses, imageSize)
            : throw new ArgumentException($"Unknown model '{name}'. Allowed: {string.Join(", ", Names)}.", nameof(name));
    }

    /// <summary>
    /// Creates the model <paramref name="name"/> with <paramref name="numClasses"/> outputs. Only <c>mlp</c> depends
    /// on <paramref name="imageSize"/> (its input width); the others accept any size their strides allow.
    /// </summary>
    public static ImageClassifier Create(ModelName name, int numClasses, int imageSize = 224)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numClasses);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageSize);
        return name switch
        {
            ModelName.ResNet18 => ResNet.ResNet18(numClasses),
            ModelName.ResNet50 => ResNet.ResNet50(numClasses),
            ModelName.ResNet101 => ResNet.ResNet101(numClasses),
            ModelName.TResNetM => TResNet.TResNetM(numClasses),
            ModelName.TResNetL => TResNet.TResNetL(numClasses),
            ModelName.SmallCnn => new SmallCnn(numClasses),
            ModelName.Mlp => new Mlp(numClasses, imageSize),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, $"not a model; allowed: {string.Join(", ", Names)}"),
        };
    }
}
