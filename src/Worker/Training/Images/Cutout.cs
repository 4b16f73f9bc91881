namespace Asl.Distributed.Training.Images;

/// <summary>
/// Cutout as in the official ASL recipe (<c>CutoutPIL</c>, cutout_factor 0.5): a rectangle of
/// round(factor · width) × round(factor · height) pixels centred on a uniformly random pixel, clipped at the image
/// borders, filled with one uniformly random colour. The rectangle is half-open, so an unclipped cutout covers
/// exactly side × side pixels; PIL's inclusive <c>rectangle</c> paints one more row and column.
/// </summary>
public static class Cutout
{
    /// <summary>The official factor: half of each side.</summary>
    public const double DefaultFactor = 0.5;

    /// <summary>
    /// Paints the cutout in place. Draws, in this order: the centre x, the centre y, then red, green and blue.
    /// </summary>
    public static void Apply(RgbImage image, Random random, double factor = DefaultFactor)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(random);
        int centreX = random.Next(image.Width);
        int centreY = random.Next(image.Height);
        byte r = (byte)random.Next(256);
        byte g = (byte)random.Next(256);
        byte b = (byte)random.Next(256);
        var (left, top, right, bottom) = Region(image.Width, image.Height, centreX, centreY, factor);
        for (int y = top; y < bottom; y++)
        {
            var row = image.Row(y);
            for (int x = left; x < right; x++)
            {
                row[x * 3] = r;
                row[x * 3 + 1] = g;
                row[x * 3 + 2] = b;
            }
        }
    }

    /// <summary>
    /// The half-open pixel rectangle [left, right) × [top, bottom) covered by a cutout centred on
    /// (<paramref name="centreX"/>, <paramref name="centreY"/>), clipped to the image; it may be empty.
    /// </summary>
    public static (int Left, int Top, int Right, int Bottom) Region(int width, int height, int centreX, int centreY, double factor = DefaultFactor)
    {
        if (!(factor >= 0 && factor <= 1))
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "The cutout factor must be in [0, 1].");
        int sideX = (int)(factor * width + 0.5);
        int sideY = (int)(factor * height + 0.5);
        int left = centreX - sideX / 2;
        int top = centreY - sideY / 2;
        return (Math.Clamp(left, 0, width), Math.Clamp(top, 0, height),
            Math.Clamp(left + sideX, 0, width), Math.Clamp(top + sideY, 0, height));
    }
}
