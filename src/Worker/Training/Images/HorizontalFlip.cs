namespace Asl.Distributed.Training.Images;

/// <summary>Random horizontal flip (torchvision's <c>RandomHorizontalFlip</c>, p = 0.5 by default), in place.</summary>
public static class HorizontalFlip
{
    /// <summary>
    /// Mirrors the image with probability <paramref name="probability"/>; draws one double from
    /// <paramref name="random"/> whatever the probability, so later draws do not depend on it. Returns whether it flipped.
    /// </summary>
    public static bool Apply(RgbImage image, Random random, double probability = 0.5)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(random);
        bool flip = random.NextDouble() < probability;
        if (flip)
            Mirror(image);
        return flip;
    }

    /// <summary>Mirrors left to right: pixel (x, y) swaps with (width − 1 − x, y).</summary>
    public static void Mirror(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        for (int y = 0; y < image.Height; y++)
        {
            var row = image.Row(y);
            for (int left = 0, right = image.Width - 1; left < right; left++, right--)
            {
                for (int c = 0; c < 3; c++)
                    (row[left * 3 + c], row[right * 3 + c]) = (row[right * 3 + c], row[left * 3 + c]);
            }
        }
    }
}
