using Asl.Distributed.Training.Images;

namespace Asl.Distributed.Training.Tests.Images;

public sealed class ChwFloatConverterTests
{
    [Fact]
    public void Convert_NoNormalisation_GivesPlanesOfValueOver255()
    {
        var image = TestImages.Make(3, 2, (x, y) => ((byte)(x * 100), (byte)(y * 255), (byte)(x + y)));
        var output = new float[18];

        new ChwFloatConverter().Convert(image, output);

        for (int y = 0; y < 2; y++)
        {
            for (int x = 0; x < 3; x++)
            {
                var (r, g, b) = TestImages.Get(image, x, y);
                Assert.Equal(r / 255.0, output[0 * 6 + y * 3 + x], 6);
                Assert.Equal(g / 255.0, output[1 * 6 + y * 3 + x], 6);
                Assert.Equal(b / 255.0, output[2 * 6 + y * 3 + x], 6);
            }
        }

        Assert.All(output, v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(0f, output[6]);
        Assert.Equal(1f, output[9]);
    }

    [Fact]
    public void Convert_WithMeanAndStd_NormalisesPerChannel()
    {
        float[] mean = [0.485f, 0.456f, 0.406f];
        float[] std = [0.229f, 0.224f, 0.225f];
        var image = TestImages.Make(2, 2, (x, y) => ((byte)(x * 255), (byte)(y * 128), 64));
        var output = new float[12];

        new ChwFloatConverter(mean, std).Convert(image, output);

        for (int i = 0; i < 4; i++)
        {
            var (r, g, b) = TestImages.Get(image, i % 2, i / 2);
            Assert.Equal((r / 255.0 - 0.485) / 0.229, output[i], 5);
            Assert.Equal((g / 255.0 - 0.456) / 0.224, output[4 + i], 5);
            Assert.Equal((b / 255.0 - 0.406) / 0.225, output[8 + i], 5);
        }
    }

    [Fact]
    public void Constructor_MeanWithoutStd_Throws()
    {
        Assert.Throws<ArgumentException>(() => new ChwFloatConverter([0.5f, 0.5f, 0.5f], null));
    }

    [Fact]
    public void Convert_WrongDestinationLength_Throws()
    {
        Assert.Throws<ArgumentException>(() => new ChwFloatConverter().Convert(new RgbImage(2, 2), new float[11]));
    }
}
