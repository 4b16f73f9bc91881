namespace Asl.Distributed.Training.Images;

/// <summary>
/// The geometric RandAugment operations as inverse mappings with nearest-neighbour sampling: each output pixel centre
/// (x + ½, y + ½) is mapped into the source, the source pixel containing that point is copied, and points outside
/// the source give black. This is PIL's <c>Image.transform(AFFINE, …, NEAREST)</c> geometry, which torchvision uses
/// for PIL images.
/// </summary>
internal static class GeometricOperations
{
    /// <summary>
    /// A new image whose pixel at (x, y) is the source pixel at (a·x' + b·y' + c, d·x' + e·y' + f), x' = x + ½,
    /// y' = y + ½.
    /// </summary>
    public static RgbImage Affine(RgbImage source, double a, double b, double c, double d, double e, double f)
    {
        int width = source.Width;
        int height = source.Height;
        var result = new RgbImage(width, height);
        byte[] input = source.Pixels;
        byte[] output = result.Pixels;
        for (int y = 0; y < height; y++)
        {
            double cy = y + 0.5;
            double rowX = b * cy + c;
            double rowY = e * cy + f;
            int o = y * width * 3;
            for (int x = 0; x < width; x++, o += 3)
            {
                double cx = x + 0.5;
                double sx = a * cx + rowX;
                double sy = d * cx + rowY;
                // Compare before converting: a huge coordinate must not wrap into range.
                if (sx < 0 || sy < 0 || sx >= width || sy >= height)
                    continue;
                int p = ((int)sy * width + (int)sx) * 3;
                output[o] = input[p];
                output[o + 1] = input[p + 1];
                output[o + 2] = input[p + 2];
            }
        }

        return result;
    }

    /// <summary>Rotation by <paramref name="degrees"/> counter-clockwise (as seen on screen) about the image centre.</summary>
    public static RgbImage Rotate(RgbImage source, double degrees)
    {
        if (degrees == 0)
            return source.Clone();
        double radians = degrees * Math.PI / 180;
        double cos = Math.Cos(radians);
        double sin = Math.Sin(radians);
        double centreX = source.Width / 2.0;
        double centreY = source.Height / 2.0;
        // With y pointing down, the source of an output offset (u, v) is that offset turned the other way:
        // (u·cos − v·sin, u·sin + v·cos), then moved back to the centre.
        return Affine(source, cos, -sin, centreX - cos * centreX + sin * centreY,
            sin, cos, centreY - sin * centreX - cos * centreY);
    }

    /// <summary>Shift by whole pixels: output (x, y) = source (x − dx, y − dy).</summary>
    public static RgbImage Translate(RgbImage source, int dx, int dy)
    {
        int width = source.Width;
        int height = source.Height;
        var result = new RgbImage(width, height);
        int fromX = Math.Max(0, dx);
        int toX = Math.Min(width, width + dx);
        if (fromX >= toX)
            return result;
        int rowBytes = (toX - fromX) * 3;
        for (int y = Math.Max(0, dy); y < Math.Min(height, height + dy); y++)
        {
            source.Pixels.AsSpan(((y - dy) * width + fromX - dx) * 3, rowBytes)
                .CopyTo(result.Pixels.AsSpan((y * width + fromX) * 3, rowBytes));
        }

        return result;
    }
}
