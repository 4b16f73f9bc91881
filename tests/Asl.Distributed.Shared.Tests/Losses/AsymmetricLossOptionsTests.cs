using Asl.Distributed.Configuration;
using Asl.Distributed.Losses;
using Google.Protobuf;
using Wire = Asl.Distributed.Contracts.V1;

namespace Asl.Distributed.Shared.Tests.Losses;

public sealed class AsymmetricLossOptionsTests
{
    [Theory]
    [InlineData("asl", 4, 1, 0.05)]
    [InlineData("asl-coco", 4, 0, 0.05)]
    [InlineData("bce", 0, 0, 0)]
    [InlineData("focal", 2, 2, 0)]
    [InlineData(" ASL-COCO ", 4, 0, 0.05)]
    public void FromPreset_KnownName_HasThePublishedSettings(string name, double gammaNeg, double gammaPos, double clip)
    {
        var options = AsymmetricLossOptions.FromPreset(name);
        Assert.Equal((gammaNeg, gammaPos, clip, 1e-8, true, LossReduction.Sum),
            (options.GammaNeg, options.GammaPos, options.Clip, options.Eps, options.DisableTorchGradFocalLoss, options.Reduction));
    }

    [Fact]
    public void FromPreset_UnknownName_NamesFieldAndAllowedPresets()
    {
        var error = Assert.Throws<ConfigException>(() => AsymmetricLossOptions.FromPreset("asymmetric"));
        Assert.Equal("loss.preset", error.Field);
        Assert.Contains("asl, asl-coco, bce, focal", error.Message);
    }

    public static TheoryData<AsymmetricLossOptions, string> BadOptions => new()
    {
        { new AsymmetricLossOptions { GammaNeg = -1 }, "loss.gamma_neg" },
        { new AsymmetricLossOptions { GammaPos = double.NaN }, "loss.gamma_pos" },
        { new AsymmetricLossOptions { Clip = 1 }, "loss.clip" },
        { new AsymmetricLossOptions { Clip = -0.01 }, "loss.clip" },
        { new AsymmetricLossOptions { Eps = 0 }, "loss.eps" },
        { new AsymmetricLossOptions { Reduction = (LossReduction)9 }, "loss.reduction" },
        { new AsymmetricLossOptions { Adaptive = new() { Lambda = -1 } }, "loss.adaptive.lambda" },
        { new AsymmetricLossOptions { Adaptive = new() { TargetProbGap = 2 } }, "loss.adaptive.target_prob_gap" },
        { new AsymmetricLossOptions { Adaptive = new() { GammaNegMin = 5, GammaNegMax = 4 } }, "loss.adaptive.gamma_neg_max" },
        { new AsymmetricLossOptions { GammaNeg = 9, Adaptive = new() }, "loss.adaptive" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Validate_OutOfRangeSetting_ThrowsNamingTheField(AsymmetricLossOptions options, string field)
    {
        var error = Assert.Throws<ConfigException>(() => options.Validate());
        Assert.Equal(field, error.Field);
        Assert.Contains("allowed", error.Message);
    }

    [Fact]
    public void Contract_RoundTripThroughBytes_KeepsEverySetting()
    {
        var options = new AsymmetricLossOptions
        {
            GammaNeg = 3.5, GammaPos = 0.5, Clip = 0.2, Eps = 1e-6, DisableTorchGradFocalLoss = false,
            Reduction = LossReduction.BatchMean,
            Adaptive = new() { Lambda = 0.01, TargetProbGap = 0.2, GammaNegMin = 1, GammaNegMax = 6 },
        };
        byte[] wire = options.ToContract().ToByteArray();
        var back = Wire.AsymmetricLossSettings.Parser.ParseFrom(wire).ToOptions();
        Assert.Equal(options, back);
    }

    [Fact]
    public void Contract_UnspecifiedReduction_IsRejectedNamingTheField()
    {
        var message = AsymmetricLossOptions.Official.ToContract();
        message.Reduction = Wire.LossReduction.Unspecified;
        var error = Assert.Throws<ConfigException>(() => message.ToOptions());
        Assert.Equal("loss.reduction", error.Field);
    }

    [Theory]
    [InlineData("sum", LossReduction.Sum)]
    [InlineData("Mean", LossReduction.Mean)]
    [InlineData("batchmean", LossReduction.BatchMean)]
    [InlineData("none", LossReduction.None)]
    public void ReductionNames_ParseAndPrint_RoundTrip(string name, LossReduction reduction)
    {
        Assert.Equal(reduction, LossReductionNames.Parse(name, "loss.reduction"));
        Assert.Equal(name.ToLowerInvariant(), reduction.ToName());
    }

    [Fact]
    public void ReductionNames_UnknownName_ListsAllowedValues()
    {
        var error = Assert.Throws<ConfigException>(() => LossReductionNames.Parse("avg", "loss.reduction"));
        Assert.Contains("sum, mean, batchmean, none", error.Message);
    }
}
