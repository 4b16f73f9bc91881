using Asl.Distributed.Training.Images;

namespace Asl.Distributed.Training.Tests.Images;

public sealed class CutoutTests
{
    [Theory]
    [InlineData(25, 25, 13, 13, 38, 38)] // centre: 25 × 25, side = round(0.5 · 50)
    [InlineData(0, 0, 0, 0, 13, 13)] // top-left corner: clipped to the 13 × 13 quarter that remains
    [InlineData(49, 10, 37, 0, 50, 23)] // right edge, near the top
    [InlineData(12, 12, 0, 0, 25, 25)] // touches both borders exactly
    public void Region_HandComputed_ClipsAtBorders(int centreX, int centreY, int left, int top, int right, int bottom)
    {
        Assert.Equal((left, top, right, bottom), Cutout.Region(50, 50, centreX, centreY));
    }

    [Fact]
    public void Region_OddSide_RoundsHalfUp()
    {
        // 0.5 · 45 = 22.5 rounds to 23; left = 20 − 11.
        Assert.Equal((9, 9, 32, 32), Cutout.Region(45, 45, 20, 20));
    }

    [Fact]
    public void Apply_ManySeeds_PaintsOneClippedSquareOfOneColour()
    {
        bool sawClipped = false, sawFull = false;
        for (int seed = 0; seed < 300; seed++)
        {
            // A mid-gray image; a fill colour equal to it would hide pixels, so such seeds are rare and skipped.
            var image = TestImages.Make(40, 40, (_, _) => (128, 128, 128));
            Cutout.Apply(image, new Random(seed));

            var changed = new List<(int X, int Y)>();
            for (int y = 0; y < 40; y++)
            {
                for (int x = 0; x < 40; x++)
                {
                    if (TestImages.Get(image, x, y) != (128, 128, 128))
                        changed.Add((x, y));
                }
            }

            if (changed.Count == 0)
                continue;
            int left = changed.Min(p => p.X), right = changed.Max(p => p.X) + 1;
            int top = changed.Min(p => p.Y), bottom = changed.Max(p => p.Y) + 1;
            Assert.Equal((right - left) * (bottom - top), changed.Count);
            Assert.Single(changed.Select(p => TestImages.Get(image, p.X, p.Y)).Distinct());
            Assert.True(right - left <= 20 && bottom - top <= 20);
            // Narrower than 20 only where the square was cut by a border.
            Assert.True(right - left == 20 || left == 0 || right == 40, $"seed {seed}: x {left}..{right}");
            Assert.True(bottom - top == 20 || top == 0 || bottom == 40, $"seed {seed}: y {top}..{bottom}");
            sawClipped |= changed.Count < 400;
            sawFull |= changed.Count == 400;
        }

        Assert.True(sawClipped && sawFull);
    }

    [Fact]
    public void Apply_SameSeed_SameResult()
    {
        var a = TestImages.Photo(30, 30, seed: 5);
        var b = a.Clone();

        Cutout.Apply(a, new Random(42));
        Cutout.Apply(b, new Random(42));

        Assert.Equal(a.Pixels, b.Pixels);
    }
}
