using Asl.Distributed.Training.Images;

namespace Asl.Distributed.Training.Tests.Images;

public sealed class ImagePipelineTests
{
    [Fact]
    public void Eval_ConstantImage_GivesValueOver255InEveryPlane()
    {
        var pipeline = ImagePipeline.Eval(ImagePipelineOptions.OfficialCoco(32));
        var output = new float[pipeline.OutputLength];

        pipeline.Process(TestImages.Make(50, 37, (_, _) => (51, 102, 255)), new Random(1), output);

        Assert.All(output.AsSpan(0, 1024).ToArray(), v => Assert.Equal(0.2f, v, 6));
        Assert.All(output.AsSpan(1024, 1024).ToArray(), v => Assert.Equal(0.4f, v, 6));
        Assert.All(output.AsSpan(2048, 1024).ToArray(), v => Assert.Equal(1f, v));
    }

    [Fact]
    public void Train_EverythingOff_EqualsEval()
    {
        var options = new ImagePipelineOptions { ImageSize = 24, Cutout = false, RandAugmentOps = 0, HorizontalFlip = false };
        var source = TestImages.Photo(40, 30, seed: 1);

        var train = ImagePipeline.Train(options).Augment(source, new Random(5));
        var eval = ImagePipeline.Eval(options).Augment(source, new Random(5));

        Assert.Equal(eval.Pixels, train.Pixels);
    }

    [Fact]
    public void Train_FlipOnly_GivesTheResizedImageOrItsMirror()
    {
        var options = new ImagePipelineOptions { ImageSize = 16, Cutout = false, RandAugmentOps = 0, HorizontalFlip = true };
        var source = TestImages.Photo(30, 20, seed: 2);
        var plain = ImagePipeline.Eval(options).Augment(source, new Random(0));
        var mirrored = plain.Clone();
        HorizontalFlip.Mirror(mirrored);

        int flips = 0;
        for (int seed = 0; seed < 40; seed++)
        {
            var result = ImagePipeline.Train(options).Augment(source, new Random(seed));
            bool isMirror = result.Pixels.AsSpan().SequenceEqual(mirrored.Pixels);
            Assert.True(isMirror || result.Pixels.AsSpan().SequenceEqual(plain.Pixels));
            flips += isMirror ? 1 : 0;
        }

        Assert.InRange(flips, 5, 35);
    }

    [Fact]
    public void Train_OfficialRecipe_IsDeterministicPerSeedAndInUnitRange()
    {
        var pipeline = ImagePipeline.Train(ImagePipelineOptions.OfficialCoco(64));
        var source = TestImages.Photo(100, 75, seed: 3);
        var first = new float[pipeline.OutputLength];
        var second = new float[pipeline.OutputLength];
        var other = new float[pipeline.OutputLength];

        pipeline.Process(source, new Random(77), first);
        pipeline.Process(source, new Random(77), second);
        pipeline.Process(source, new Random(78), other);

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
        Assert.All(first, v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void Train_Process_DoesNotChangeTheSource()
    {
        var source = TestImages.Photo(20, 20, seed: 4);
        var copy = source.Clone();

        ImagePipeline.Train(new ImagePipelineOptions { ImageSize = 20, HorizontalFlip = true }).Augment(source, new Random(1));

        Assert.Equal(copy.Pixels, source.Pixels);
    }

    [Fact]
    public void OfficialCoco_Defaults_MatchTheRecipe()
    {
        var options = ImagePipelineOptions.OfficialCoco(448);

        Assert.Equal(448, options.ImageSize);
        Assert.True(options.Cutout);
        Assert.Equal(0.5, options.CutoutFactor);
        Assert.Equal((2, 9), (options.RandAugmentOps, options.RandAugmentMagnitude));
        Assert.False(options.HorizontalFlip);
        Assert.Null(options.Mean);
        Assert.Null(options.Std);
    }

    [Theory]
    [InlineData(0, 9, false, "ImageSize")]
    [InlineData(224, 31, false, "RandAugmentMagnitude")]
    [InlineData(224, 9, true, "Mean")]
    public void Train_InvalidOptions_ThrowsNamingTheField(int size, int magnitude, bool meanWithoutStd, string field)
    {
        var options = new ImagePipelineOptions
        {
            ImageSize = size,
            RandAugmentMagnitude = magnitude,
            Mean = meanWithoutStd ? [0.5f, 0.5f, 0.5f] : null,
        };

        var error = Assert.Throws<ArgumentException>(() => ImagePipeline.Train(options));

        Assert.Contains(field, error.Message);
    }
}
