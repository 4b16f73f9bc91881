using Asl.Distributed.Training.Images;

namespace Asl.Distributed.Training.Tests.Images;

public sealed class SquishResizeTests
{
    [Theory]
    [InlineData(500, 375, 224)]
    [InlineData(7, 3, 448)]
    [InlineData(1, 1, 5)]
    public void Apply_ConstantImage_StaysConstant(int width, int height, int size)
    {
        var image = TestImages.Make(width, height, (_, _) => (17, 200, 255));

        var resized = SquishResize.Apply(image, size);

        Assert.Equal((size, size), (resized.Width, resized.Height));
        for (int i = 0; i < resized.Pixels.Length; i += 3)
            Assert.Equal((17, 200, 255), (resized.Pixels[i], resized.Pixels[i + 1], resized.Pixels[i + 2]));
    }

    [Fact]
    public void Apply_Checkerboard2x2To4x4_MatchesCentreAlignedBilinear()
    {
        // Independent reference: align_corners = false bilinear, source coordinate s = (i + ½)·(2/4) − ½ clamped to
        // [0, 1], value = Σ over the four source pixels of the product of linear weights.
        var board = TestImages.Make(2, 2, (x, y) => (x + y) % 2 == 0 ? ((byte)255, (byte)0, (byte)100) : ((byte)0, (byte)255, (byte)100));

        var resized = SquishResize.Apply(board, 4);

        for (int y = 0; y < 4; y++)
        {
            for (int x = 0; x < 4; x++)
            {
                double sx = Math.Clamp((x + 0.5) / 2 - 0.5, 0, 1);
                double sy = Math.Clamp((y + 0.5) / 2 - 0.5, 0, 1);
                double onDiagonal = (1 - sx) * (1 - sy) + sx * sy;
                var expected = (TestImages.Clamp(255 * onDiagonal), TestImages.Clamp(255 * (1 - onDiagonal)), (byte)100);
                Assert.Equal(expected, TestImages.Get(resized, x, y));
            }
        }
    }

    [Fact]
    public void Apply_HalvingALinearRamp_AveragesAroundEachOutputCentre()
    {
        // Shrinking by 2 widens the triangle to 4 source pixels with weights 1/8, 3/8, 3/8, 1/8 (away from the
        // borders), whose mean position is the output centre: a ramp v = 2x + 10 gives 2·(2i + ½) + 10.
        var ramp = TestImages.Make(40, 6, (x, _) => ((byte)(2 * x + 10), (byte)(2 * x + 10), (byte)(2 * x + 10)));

        var resized = SquishResize.Apply(ramp, 20, 3);

        for (int x = 1; x < 19; x++)
            Assert.Equal(TestImages.Clamp(2 * (2 * x + 0.5) + 10), TestImages.Get(resized, x, 1).R);
    }

    [Fact]
    public void Apply_Downscale_IsAntialiased()
    {
        // Alternating black/white columns shrunk by 4: nearest or plain bilinear sampling would give pure
        // black or white columns, an antialiased filter gives mid-gray.
        var stripes = TestImages.Make(64, 4, (x, _) => x % 2 == 0 ? ((byte)0, (byte)0, (byte)0) : ((byte)255, (byte)255, (byte)255));

        var resized = SquishResize.Apply(stripes, 16, 4);

        for (int x = 1; x < 15; x++)
            Assert.InRange((int)TestImages.Get(resized, x, 2).R, 112, 143);
    }

    [Fact]
    public void Apply_NonSquareSource_SquishesWithoutCropping()
    {
        // Left half red, right half blue in a 2:1 image: the squished square keeps the split in the middle.
        var image = TestImages.Make(200, 100, (x, _) => x < 100 ? ((byte)255, (byte)0, (byte)0) : ((byte)0, (byte)0, (byte)255));

        var resized = SquishResize.Apply(image, 50);

        Assert.Equal((255, 0, 0), TestImages.Get(resized, 0, 0));
        Assert.Equal((255, 0, 0), TestImages.Get(resized, 23, 49));
        Assert.Equal((0, 0, 255), TestImages.Get(resized, 26, 0));
        Assert.Equal((0, 0, 255), TestImages.Get(resized, 49, 49));
    }

    [Fact]
    public void Apply_SameSize_ReturnsAnEqualCopy()
    {
        var image = TestImages.Photo(9, 9, seed: 2);

        var resized = SquishResize.Apply(image, 9);

        Assert.NotSame(image.Pixels, resized.Pixels);
        Assert.Equal(image.Pixels, resized.Pixels);
    }
}
