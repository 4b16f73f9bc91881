namespace Asl.Distributed.Training.Images;

/// <summary>
/// RandAugment (Cubuk et al. 2020) with torchvision's operation list and magnitude table
/// (<c>torchvision.transforms.RandAugment</c>, num_magnitude_bins = 31): <see cref="Ops"/> times, pick one of the
/// 14 operations uniformly, take its magnitude at bin <see cref="Magnitude"/> (M in 0…30; the same M for every
/// operation, as in the paper), and for the signed operations negate it with probability ½.
/// Magnitude at bin M: shear 0.3·M/30; translate (150/331)·side·M/30, truncated to whole pixels; rotate 30°·M/30;
/// brightness, color, contrast, sharpness factor 1 ± 0.9·M/30; posterize 8 − round(M/7.5) bits; solarize threshold
/// 255·(1 − M/30); identity, autocontrast and equalize take none. Geometric operations use nearest-neighbour
/// sampling and fill uncovered pixels with black, as torchvision does by default.
/// </summary>
public sealed class RandAugment
{
    /// <summary>The number of magnitude bins; M indexes them.</summary>
    public const int MagnitudeBins = 31;

    /// <summary>Number of operations; all 14 of <see cref="RandAugmentOperation"/>.</summary>
    public const int OperationCount = 14;

    /// <summary>Creates the transform: <paramref name="ops"/> operations (N ≥ 0) at magnitude bin <paramref name="magnitude"/> (0…30).</summary>
    public RandAugment(int ops = 2, int magnitude = 9)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ops);
        ArgumentOutOfRangeException.ThrowIfNegative(magnitude);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(magnitude, MagnitudeBins - 1);
        Ops = ops;
        Magnitude = magnitude;
    }

    /// <summary>N, the number of operations applied to each image.</summary>
    public int Ops { get; }

    /// <summary>M, the magnitude bin (0…30).</summary>
    public int Magnitude { get; }

    /// <summary>
    /// Applies N random operations; returns the result, which may be <paramref name="image"/> itself changed in place
    /// (colour operations) or a new image (geometric ones). Per operation it draws the operation index and then, for
    /// signed operations only, the sign.
    /// </summary>
    public RgbImage Apply(RgbImage image, Random random)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(random);
        for (int i = 0; i < Ops; i++)
        {
            var operation = (RandAugmentOperation)random.Next(OperationCount);
            double value = MagnitudeOf(operation, Magnitude, image.Width, image.Height);
            if (IsSigned(operation) && random.Next(2) == 1)
                value = -value;
            image = ApplyOperation(image, operation, value);
        }

        return image;
    }

    /// <summary>Whether the operation's magnitude is negated at random.</summary>
    public static bool IsSigned(RandAugmentOperation operation) => operation is
        RandAugmentOperation.ShearX or RandAugmentOperation.ShearY or RandAugmentOperation.TranslateX
        or RandAugmentOperation.TranslateY or RandAugmentOperation.Rotate or RandAugmentOperation.Brightness
        or RandAugmentOperation.Color or RandAugmentOperation.Contrast or RandAugmentOperation.Sharpness;

    /// <summary>
    /// The operation's (unsigned) magnitude at bin <paramref name="bin"/> for an image of the given size, in the units
    /// <see cref="ApplyOperation"/> takes: shear slope, pixels, degrees, blend offset (factor − 1), bits, threshold.
    /// </summary>
    public static double MagnitudeOf(RandAugmentOperation operation, int bin, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bin);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bin, MagnitudeBins - 1);
        double fraction = bin / (double)(MagnitudeBins - 1);
        return operation switch
        {
            RandAugmentOperation.ShearX or RandAugmentOperation.ShearY => 0.3 * fraction,
            RandAugmentOperation.TranslateX => 150.0 / 331.0 * width * fraction,
            RandAugmentOperation.TranslateY => 150.0 / 331.0 * height * fraction,
            RandAugmentOperation.Rotate => 30.0 * fraction,
            RandAugmentOperation.Brightness or RandAugmentOperation.Color or RandAugmentOperation.Contrast
                or RandAugmentOperation.Sharpness => 0.9 * fraction,
            // bin / 7.5 is never a tie at integer bins, so rounding mode does not matter.
            RandAugmentOperation.Posterize => 8 - Math.Round(bin / ((MagnitudeBins - 1) / 4.0)),
            RandAugmentOperation.Solarize => 255.0 * (1 - fraction),
            _ => 0,
        };
    }

    /// <summary>
    /// Applies one operation with an explicit signed <paramref name="value"/> (the units of <see cref="MagnitudeOf"/>).
    /// Colour operations work in place and return <paramref name="image"/>; geometric ones return a new image.
    /// </summary>
    public static RgbImage ApplyOperation(RgbImage image, RandAugmentOperation operation, double value)
    {
        ArgumentNullException.ThrowIfNull(image);
        switch (operation)
        {
            case RandAugmentOperation.Identity:
                return image;
            case RandAugmentOperation.ShearX:
                return GeometricOperations.Affine(image, 1, value, 0, 0, 1, 0);
            case RandAugmentOperation.ShearY:
                return GeometricOperations.Affine(image, 1, 0, 0, value, 1, 0);
            case RandAugmentOperation.TranslateX:
                return GeometricOperations.Translate(image, (int)value, 0);
            case RandAugmentOperation.TranslateY:
                return GeometricOperations.Translate(image, 0, (int)value);
            case RandAugmentOperation.Rotate:
                return GeometricOperations.Rotate(image, value);
            case RandAugmentOperation.Brightness:
                ColorOperations.Brightness(image, 1 + value);
                return image;
            case RandAugmentOperation.Color:
                ColorOperations.Saturation(image, 1 + value);
                return image;
            case RandAugmentOperation.Contrast:
                ColorOperations.Contrast(image, 1 + value);
                return image;
            case RandAugmentOperation.Sharpness:
                ColorOperations.Sharpness(image, 1 + value);
                return image;
            case RandAugmentOperation.Posterize:
                ColorOperations.Posterize(image, (int)value);
                return image;
            case RandAugmentOperation.Solarize:
                ColorOperations.Solarize(image, value);
                return image;
            case RandAugmentOperation.AutoContrast:
                ColorOperations.AutoContrast(image);
                return image;
            case RandAugmentOperation.Equalize:
                ColorOperations.Equalize(image);
                return image;
            default:
                throw new ArgumentOutOfRangeException(nameof(operation), operation, "Unknown RandAugment operation.");
        }
    }
}
