namespace Asl.Distributed.Training.Images;

/// <summary>The 14 operations of RandAugment, in torchvision's order (the order the random index picks from).</summary>
public enum RandAugmentOperation
{
    /// <summary>No change.</summary>
    Identity,

    /// <summary>Shear along x around the top-left corner: source x = x + m·y; m up to 0.3.</summary>
    ShearX,

    /// <summary>Shear along y around the top-left corner: source y = y + m·x; m up to 0.3.</summary>
    ShearY,

    /// <summary>Shift along x by a whole number of pixels, up to 150/331 of the width.</summary>
    TranslateX,

    /// <summary>Shift along y by a whole number of pixels, up to 150/331 of the height.</summary>
    TranslateY,

    /// <summary>Rotation about the centre, counter-clockwise for positive degrees, up to 30°.</summary>
    Rotate,

    /// <summary>Blend with black by factor 1 + m, m up to ±0.9.</summary>
    Brightness,

    /// <summary>Blend with the grayscale image (saturation) by factor 1 + m.</summary>
    Color,

    /// <summary>Blend with the mean gray level by factor 1 + m.</summary>
    Contrast,

    /// <summary>Blend with a 3×3 smoothed image by factor 1 + m.</summary>
    Sharpness,

    /// <summary>Keep the top 8 − round(M / 7.5) bits of each channel.</summary>
    Posterize,

    /// <summary>Invert every value at or above the threshold 255 · (1 − M/30).</summary>
    Solarize,

    /// <summary>Stretch each channel's range to 0…255 (no magnitude).</summary>
    AutoContrast,

    /// <summary>Histogram-equalise each channel (no magnitude).</summary>
    Equalize,
}
