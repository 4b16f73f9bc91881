using Asl.Distributed.Training.Images;

namespace Asl.Distributed.Training.Tests.Images;

public sealed class RandAugmentTests
{
    public static TheoryData<RandAugmentOperation> IdentityAtZero() =>
    [
        RandAugmentOperation.Identity, RandAugmentOperation.ShearX, RandAugmentOperation.ShearY,
        RandAugmentOperation.TranslateX, RandAugmentOperation.TranslateY, RandAugmentOperation.Rotate,
        RandAugmentOperation.Brightness, RandAugmentOperation.Color, RandAugmentOperation.Contrast,
        RandAugmentOperation.Sharpness, RandAugmentOperation.Posterize, RandAugmentOperation.Solarize,
    ];

    [Theory]
    [MemberData(nameof(IdentityAtZero))]
    public void ApplyOperation_MagnitudeBinZero_IsIdentity(RandAugmentOperation operation)
    {
        // No value 255: solarize's bin-0 threshold is 255 and inverts exactly that value (torchvision does too).
        var original = TestImages.Make(31, 17, (x, y) => ((byte)(x * 8), (byte)(y * 14), (byte)((x * y) % 254)));
        foreach (int sign in RandAugment.IsSigned(operation) ? new[] { 1, -1 } : [1])
        {
            double value = sign * RandAugment.MagnitudeOf(operation, 0, 31, 17);
            var result = RandAugment.ApplyOperation(original.Clone(), operation, value);
            Assert.Equal(original.Pixels, result.Pixels);
        }
    }

    [Fact]
    public void MagnitudeOf_TorchvisionTable_AtBins0_9_30()
    {
        Assert.Equal(0.0, RandAugment.MagnitudeOf(RandAugmentOperation.ShearX, 0, 224, 224));
        Assert.Equal(0.09, RandAugment.MagnitudeOf(RandAugmentOperation.ShearY, 9, 224, 224), 12);
        Assert.Equal(0.3, RandAugment.MagnitudeOf(RandAugmentOperation.ShearX, 30, 224, 224), 12);
        Assert.Equal(150.0 / 331 * 224 * 0.3, RandAugment.MagnitudeOf(RandAugmentOperation.TranslateX, 9, 224, 100), 9);
        Assert.Equal(150.0 / 331 * 100, RandAugment.MagnitudeOf(RandAugmentOperation.TranslateY, 30, 224, 100), 9);
        Assert.Equal(9.0, RandAugment.MagnitudeOf(RandAugmentOperation.Rotate, 9, 224, 224), 12);
        Assert.Equal(0.27, RandAugment.MagnitudeOf(RandAugmentOperation.Brightness, 9, 224, 224), 12);
        Assert.Equal(0.9, RandAugment.MagnitudeOf(RandAugmentOperation.Sharpness, 30, 224, 224), 12);
        // Posterize: 8 − round(M / 7.5) → bins 0, 4, 9, 12, 30 give 8, 7, 7, 6, 4 bits.
        Assert.Equal([8.0, 7, 7, 6, 4], new[] { 0, 4, 9, 12, 30 }.Select(m => RandAugment.MagnitudeOf(RandAugmentOperation.Posterize, m, 1, 1)));
        Assert.Equal(255.0, RandAugment.MagnitudeOf(RandAugmentOperation.Solarize, 0, 1, 1));
        Assert.Equal(178.5, RandAugment.MagnitudeOf(RandAugmentOperation.Solarize, 9, 1, 1), 9);
        Assert.Equal(0.0, RandAugment.MagnitudeOf(RandAugmentOperation.Solarize, 30, 1, 1), 9);
        Assert.Equal(0.0, RandAugment.MagnitudeOf(RandAugmentOperation.Equalize, 30, 1, 1));
    }

    [Fact]
    public void ApplyOperation_SolarizeAt255_InvertsOnlyWhite()
    {
        var image = TestImages.Make(2, 1, (x, _) => x == 0 ? ((byte)255, (byte)254, (byte)0) : ((byte)100, (byte)255, (byte)200));

        RandAugment.ApplyOperation(image, RandAugmentOperation.Solarize, 255);

        Assert.Equal(new byte[] { 0, 254, 0, 100, 0, 200 }, image.Pixels);
    }

    [Fact]
    public void ApplyOperation_SolarizeAt128_InvertsValuesFrom128()
    {
        var image = new RgbImage(1, 1, [127, 128, 250]);

        RandAugment.ApplyOperation(image, RandAugmentOperation.Solarize, 128);

        Assert.Equal(new byte[] { 127, 127, 5 }, image.Pixels);
    }

    [Fact]
    public void ApplyOperation_Posterize4Bits_KeepsTopNibble()
    {
        var image = new RgbImage(1, 1, [0xFF, 0x1F, 0x80]);

        RandAugment.ApplyOperation(image, RandAugmentOperation.Posterize, 4);

        Assert.Equal(new byte[] { 0xF0, 0x10, 0x80 }, image.Pixels);
    }

    [Fact]
    public void ApplyOperation_Brightness_ScalesClipsAndTruncates()
    {
        var image = new RgbImage(1, 2, [100, 200, 101, 10, 0, 255]);
        var darker = image.Clone();

        RandAugment.ApplyOperation(image, RandAugmentOperation.Brightness, 0.5);
        RandAugment.ApplyOperation(darker, RandAugmentOperation.Brightness, -0.5);

        Assert.Equal(new byte[] { 150, 255, 151, 15, 0, 255 }, image.Pixels);
        Assert.Equal(new byte[] { 50, 100, 50, 5, 0, 127 }, darker.Pixels);
    }

    [Fact]
    public void ApplyOperation_ColorFactorZero_GivesPilGrayLevels()
    {
        // PIL's L of pure red, green and blue: 76, 150, 29.
        var image = new RgbImage(3, 1, [255, 0, 0, 0, 255, 0, 0, 0, 255]);

        RandAugment.ApplyOperation(image, RandAugmentOperation.Color, -1.0);

        Assert.Equal(new byte[] { 76, 76, 76, 150, 150, 150, 29, 29, 29 }, image.Pixels);
    }

    [Fact]
    public void ApplyOperation_ContrastFactorZero_GivesTheRoundedMeanGray()
    {
        // Gray levels 0 and 255 in equal numbers: mean 127.5 rounds to 128.
        var image = TestImages.Make(4, 1, (x, _) => x % 2 == 0 ? ((byte)0, (byte)0, (byte)0) : ((byte)255, (byte)255, (byte)255));

        RandAugment.ApplyOperation(image, RandAugmentOperation.Contrast, -1.0);

        Assert.All(image.Pixels, v => Assert.Equal(128, v));
    }

    [Fact]
    public void ApplyOperation_SharpnessFactorZero_SmoothsInteriorWithPilKernel()
    {
        // One white pixel at the centre of a 5 × 5 black image: the centre becomes 5·255/13 ≈ 98, its 8 neighbours
        // 255/13 ≈ 20; the border rows and columns keep their values.
        var image = TestImages.Make(5, 5, (x, y) => x == 2 && y == 2 ? ((byte)255, (byte)255, (byte)255) : ((byte)0, (byte)0, (byte)0));

        RandAugment.ApplyOperation(image, RandAugmentOperation.Sharpness, -1.0);

        for (int y = 0; y < 5; y++)
        {
            for (int x = 0; x < 5; x++)
            {
                byte expected = x is 0 or 4 || y is 0 or 4 ? (byte)0 : x == 2 && y == 2 ? (byte)98 : (byte)20;
                Assert.Equal((expected, expected, expected), TestImages.Get(image, x, y));
            }
        }
    }

    [Fact]
    public void ApplyOperation_AutoContrast_StretchesEachChannel()
    {
        // Red spans 50…100 and is stretched to 0…255; green is constant and stays; blue already spans 0…255.
        var image = TestImages.Make(3, 1, (x, _) => ((byte)(50 + 25 * x), (byte)77, (byte)(x * 127 + x / 2)));

        RandAugment.ApplyOperation(image, RandAugmentOperation.AutoContrast, 0);

        Assert.Equal(new byte[] { 0, 77, 0, 127, 77, 127, 255, 77, 255 }, image.Pixels);
    }

    [Fact]
    public void ApplyOperation_EqualizeFourEqualLevels_SpreadsThemOverTheRange()
    {
        // 4 levels × 1020 pixels: step = (4080 − 1020) / 255 = 12; level k maps to (6 + 1020·k) / 12 = 0, 85, 170, 255.
        var image = TestImages.Make(68, 60, (x, y) => { byte v = (byte)(10 + 20 * ((y * 68 + x) % 4)); return (v, v, v); });

        RandAugment.ApplyOperation(image, RandAugmentOperation.Equalize, 0);

        Assert.Equal(new byte[] { 0, 85, 170, 255 }, image.Pixels.Distinct().Order().ToArray());
        Assert.Equal(85, TestImages.Get(image, 1, 0).R);
    }

    [Fact]
    public void ApplyOperation_Rotate90_IsAnExactQuarterTurnCounterClockwise()
    {
        var image = TestImages.Photo(6, 6, seed: 4);

        var rotated = RandAugment.ApplyOperation(image, RandAugmentOperation.Rotate, 90);

        // Counter-clockwise on screen: the right column becomes the top row.
        for (int y = 0; y < 6; y++)
        {
            for (int x = 0; x < 6; x++)
                Assert.Equal(TestImages.Get(image, 5 - y, x), TestImages.Get(rotated, x, y));
        }
    }

    [Fact]
    public void ApplyOperation_TranslateX_ShiftsAndFillsBlack()
    {
        var image = TestImages.Photo(10, 4, seed: 6);

        var right = RandAugment.ApplyOperation(image, RandAugmentOperation.TranslateX, 3.9);
        var up = RandAugment.ApplyOperation(image, RandAugmentOperation.TranslateY, -1);

        for (int y = 0; y < 4; y++)
        {
            for (int x = 0; x < 10; x++)
            {
                // 3.9 truncates to 3 whole pixels, as torchvision's int() does.
                Assert.Equal(x < 3 ? ((byte)0, (byte)0, (byte)0) : TestImages.Get(image, x - 3, y), TestImages.Get(right, x, y));
                Assert.Equal(y == 3 ? ((byte)0, (byte)0, (byte)0) : TestImages.Get(image, x, y + 1), TestImages.Get(up, x, y));
            }
        }
    }

    [Fact]
    public void ApplyOperation_ShearX_ShiftsEachRowByItsDepth()
    {
        // Around the top-left corner, row y samples x + m·(y + ½) (pixel centres, nearest): with m = 0.5 row 5 shifts
        // by ⌊0.5 + 2.75⌋ − 0 = 3 pixels … checked against the closed form for every pixel.
        var image = TestImages.Photo(12, 8, seed: 7);

        var sheared = RandAugment.ApplyOperation(image, RandAugmentOperation.ShearX, 0.5);

        for (int y = 0; y < 8; y++)
        {
            for (int x = 0; x < 12; x++)
            {
                int source = (int)Math.Floor(x + 0.5 + 0.5 * (y + 0.5));
                var expected = source < 12 ? TestImages.Get(image, source, y) : ((byte)0, (byte)0, (byte)0);
                Assert.Equal(expected, TestImages.Get(sheared, x, y));
            }
        }
    }

    [Fact]
    public void Apply_SameSeed_SameImage_DifferentSeeds_DifferentImages()
    {
        var augment = new RandAugment(ops: 2, magnitude: 9);
        var source = TestImages.Photo(48, 48, seed: 8);

        var a = augment.Apply(source.Clone(), new Random(123));
        var b = augment.Apply(source.Clone(), new Random(123));
        int distinct = Enumerable.Range(0, 20).Select(seed => Convert.ToHexString(augment.Apply(source.Clone(), new Random(seed)).Pixels)).Distinct().Count();

        Assert.Equal(a.Pixels, b.Pixels);
        Assert.True(distinct >= 10, $"only {distinct} distinct results from 20 seeds");
    }

    [Fact]
    public void Apply_ZeroOps_IsIdentity()
    {
        var source = TestImages.Photo(16, 16, seed: 9);

        var result = new RandAugment(ops: 0, magnitude: 30).Apply(source.Clone(), new Random(1));

        Assert.Equal(source.Pixels, result.Pixels);
    }

    [Theory]
    [InlineData(-1, 9)]
    [InlineData(2, 31)]
    [InlineData(2, -1)]
    public void Constructor_OutOfRange_Throws(int ops, int magnitude)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandAugment(ops, magnitude));
    }
}
