using Asl.Distributed.Training.Images;

namespace Asl.Distributed.Training.Tests.Images;

public sealed class HorizontalFlipTests
{
    [Theory]
    [InlineData(7, 3)]
    [InlineData(8, 5)]
    [InlineData(1, 2)]
    public void Mirror_AnyWidth_IsExactMirror(int width, int height)
    {
        var original = TestImages.Photo(width, height, seed: width);
        var image = original.Clone();

        HorizontalFlip.Mirror(image);

        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
                Assert.Equal(TestImages.Get(original, width - 1 - x, y), TestImages.Get(image, x, y));
        }
    }

    [Fact]
    public void Apply_ManySeeds_FlipsAboutHalf()
    {
        int flips = 0;
        for (int seed = 0; seed < 2000; seed++)
        {
            var image = TestImages.Make(2, 1, (x, _) => ((byte)x, 0, 0));
            bool flipped = HorizontalFlip.Apply(image, new Random(seed));
            Assert.Equal(flipped ? 1 : 0, image.Pixels[0]);
            flips += flipped ? 1 : 0;
        }

        // Binomial(2000, ½): ± 4.5 standard deviations.
        Assert.InRange(flips, 900, 1100);
    }

    [Fact]
    public void Apply_ProbabilityZero_NeverFlips()
    {
        var image = TestImages.Photo(5, 5, seed: 1);
        var copy = image.Clone();

        Assert.False(HorizontalFlip.Apply(image, new Random(3), probability: 0));
        Assert.Equal(copy.Pixels, image.Pixels);
    }
}
