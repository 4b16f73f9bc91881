namespace Asl.Distributed.Training.Images;

/// <summary>
/// The composed per-image transform. Train: squish resize to S × S → Cutout → RandAugment → horizontal flip →
/// CHW floats (each step only where the options turn it on). Eval: squish resize → CHW floats. The official
/// recipe's order is resize, Cutout, RandAugment, ToTensor; the flip, when on, comes last among the byte operations.
/// Stateless apart from its settings, so one instance serves every loader thread; randomness comes only from the
/// <see cref="Random"/> passed per image.
/// </summary>
public sealed class ImagePipeline
{
    private readonly RandAugment? _randAugment;
    private readonly ChwFloatConverter _converter;

    private ImagePipeline(ImagePipelineOptions options, bool isTrain)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        IsTrain = isTrain;
        if (isTrain && options.RandAugmentOps > 0)
            _randAugment = new RandAugment(options.RandAugmentOps, options.RandAugmentMagnitude);
        _converter = new ChwFloatConverter(options.Mean, options.Std);
    }

    /// <summary>The settings it was built from.</summary>
    public ImagePipelineOptions Options { get; }

    /// <summary>True for the augmenting train variant, false for eval.</summary>
    public bool IsTrain { get; }

    /// <summary>S, the output side.</summary>
    public int ImageSize => Options.ImageSize;

    /// <summary>Floats per output image: 3 · S · S.</summary>
    public int OutputLength => 3 * ImageSize * ImageSize;

    /// <summary>The train variant: every augmentation the options turn on.</summary>
    public static ImagePipeline Train(ImagePipelineOptions options) => new(options, isTrain: true);

    /// <summary>The eval variant: resize and conversion only.</summary>
    public static ImagePipeline Eval(ImagePipelineOptions options) => new(options, isTrain: false);

    /// <summary>
    /// The byte-level result (S × S, before float conversion). <paramref name="source"/> is not changed. Draws from
    /// <paramref name="random"/> in a fixed order (Cutout, RandAugment, flip); eval draws nothing.
    /// </summary>
    public RgbImage Augment(RgbImage source, Random random)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(random);
        var image = SquishResize.Apply(source, ImageSize);
        if (!IsTrain)
            return image;
        if (Options.Cutout)
            Images.Cutout.Apply(image, random, Options.CutoutFactor);
        if (_randAugment is not null)
            image = _randAugment.Apply(image, random);
        if (Options.HorizontalFlip)
            Images.HorizontalFlip.Apply(image, random);
        return image;
    }

    /// <summary>Augments <paramref name="source"/> and writes 3 · S · S floats (CHW) into <paramref name="destination"/>.</summary>
    public void Process(RgbImage source, Random random, Span<float> destination)
    {
        if (destination.Length != OutputLength)
            throw new ArgumentException($"Need {OutputLength} floats for a {ImageSize}² image, got {destination.Length}.", nameof(destination));
        _converter.Convert(Augment(source, random), destination);
    }
}
