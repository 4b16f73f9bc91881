namespace Asl.Distributed.Training.Images;

/// <summary>
/// torchvision's <c>ToTensor</c> followed by an optional <c>Normalize(mean, std)</c>: bytes to planar CHW floats
/// v / 255, then (v − mean[c]) / std[c]. Works through a 3 × 256 lookup table, so each pixel costs one load.
/// Immutable and thread-safe.
/// </summary>
public sealed class ChwFloatConverter
{
    private readonly float[] _table = new float[3 * 256];

    /// <summary>Creates the converter; without <paramref name="mean"/> and <paramref name="std"/> values stay in [0, 1].</summary>
    public ChwFloatConverter(IReadOnlyList<float>? mean = null, IReadOnlyList<float>? std = null)
    {
        if ((mean is null) != (std is null))
            throw new ArgumentException("Give both mean and std, or neither.", mean is null ? nameof(mean) : nameof(std));
        if (mean is not null && (mean.Count != 3 || std!.Count != 3))
            throw new ArgumentException("mean and std need one value per channel (3).", nameof(mean));
        if (std is not null && std.Any(s => !(s > 0) || !float.IsFinite(s)))
            throw new ArgumentOutOfRangeException(nameof(std), "Every std value must be finite and > 0.");

        for (int c = 0; c < 3; c++)
        {
            for (int v = 0; v < 256; v++)
            {
                float unit = v / 255f;
                _table[c * 256 + v] = mean is null ? unit : (unit - mean[c]) / std![c];
            }
        }
    }

    /// <summary>
    /// Writes the image as 3 planes of Height × Width floats (R, G, B) into <paramref name="destination"/>, which must
    /// hold exactly 3 · Width · Height values.
    /// </summary>
    public void Convert(RgbImage image, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        int plane = image.Width * image.Height;
        if (destination.Length != plane * 3)
            throw new ArgumentException($"Need {plane * 3} floats for a {image.Width}×{image.Height} image, got {destination.Length}.", nameof(destination));

        ReadOnlySpan<float> red = _table.AsSpan(0, 256);
        ReadOnlySpan<float> green = _table.AsSpan(256, 256);
        ReadOnlySpan<float> blue = _table.AsSpan(512, 256);
        var r = destination[..plane];
        var g = destination.Slice(plane, plane);
        var b = destination.Slice(plane * 2, plane);
        byte[] pixels = image.Pixels;
        for (int i = 0, p = 0; i < plane; i++, p += 3)
        {
            r[i] = red[pixels[p]];
            g[i] = green[pixels[p + 1]];
            b[i] = blue[pixels[p + 2]];
        }
    }
}
