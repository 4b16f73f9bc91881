using Asl.Distributed.Configuration;
using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Losses;

namespace Asl.Distributed.Shared.Tests.Configuration;

public sealed class TrainingConfigLoaderTests
{
    private const string CocoYaml = """
        seed: 7
        data:
          kind: coco
          train_annotations: /data/coco/annotations/instances_train2014.json
          train_images: /data/coco/train2014
          val_annotations: /data/coco/annotations/instances_val2014.json
          val_images: /data/coco/val2014
        image:
          size: 448
        model:
          name: tresnet_l
        loss:
          preset: asl-coco
          clip: 0.1
        run:
          batch_size: 128
          precision: bfloat16
        """;

    [Theory]
    [InlineData("distributed.timeout_s=0", "distributed.timeout_s")]
    [InlineData("distributed.rendezvous_timeout_s=-1", "distributed.rendezvous_timeout_s")]
    [InlineData("distributed.bucket_mb=0", "distributed.bucket_mb")]
    [InlineData("distributed.streams=17", "distributed.streams")]
    [InlineData("distributed.chunk_kib=0", "distributed.chunk_kib")]
    [InlineData("distributed.compression=int8", "distributed.compression")]
    [InlineData("distributed.transport=nccl", "distributed.transport")]
    [InlineData("distributed.tls_cert=/etc/asl/rank.pem", "distributed.tls_cert")]
    public void Parse_BadDistributedSetting_NamesTheField(string assignment, string field)
    {
        var error = Assert.Throws<ConfigException>(() => TrainingConfigLoader.Parse(CocoYaml, [assignment]));
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void Parse_DistributedSection_ReadsEveryKeyWithDDPDefaults()
    {
        var defaults = TrainingConfigLoader.Parse(CocoYaml).Distributed;
        Assert.Equal((60.0, 60.0, 25.0, 1024, 4, GradientCompression.None, true, PeerTransport.Socket),
            (defaults.TimeoutS, defaults.RendezvousTimeoutS, defaults.BucketMb, defaults.ChunkKib, defaults.Streams, defaults.Compression, defaults.Overlap, defaults.Transport));

        var set = TrainingConfigLoader.Parse(CocoYaml + """

            distributed:
              timeout_s: 5
              bucket_mb: 50
              compression: bfloat16
              overlap: false
              transport: grpc
              tls_cert: a.pem
              tls_key: a.key
              tls_ca: ca.pem
            """).Distributed;
        Assert.Equal((5.0, 50.0, GradientCompression.BFloat16, "ca.pem", false, PeerTransport.Grpc), (set.TimeoutS, set.BucketMb, set.Compression, set.TlsCa, set.Overlap, set.Transport));
    }

    [Fact]
    public void Parse_CocoRecipe_ReadsEverySectionAndKeepsDefaults()
    {
        var config = TrainingConfigLoader.Parse(CocoYaml);
        Assert.Equal(7, config.Seed);
        Assert.Equal(DataKind.Coco, config.Data.Kind);
        Assert.Equal(448, config.Image.Size);
        Assert.Equal(ModelName.TResNetL, config.Model.Name);
        Assert.Equal(ComputePrecision.BFloat16, config.Run.Precision);
        Assert.Equal(0.9997, config.Run.EmaDecay);
        Assert.Equal((80, 40, 0.2), (config.Schedule.Epochs, config.Schedule.StopEpoch, config.Schedule.PctStart));
        var loss = config.Loss.ToOptions();
        Assert.Equal((4.0, 0.0, 0.1, true, LossReduction.Sum), (loss.GammaNeg, loss.GammaPos, loss.Clip, loss.DisableTorchGradFocalLoss, loss.Reduction));
    }

    [Fact]
    public void Parse_Overrides_ReplaceAndAddValuesInOrder()
    {
        var config = TrainingConfigLoader.Parse(CocoYaml, ["loss.gamma_neg=2", "loss.adaptive.lambda=0.01", "image.mean=[0.5, 0.5, 0.5]", "image.std=[0.25, 0.25, 0.25]", "loss.gamma_neg=3"]);
        var loss = config.Loss.ToOptions();
        Assert.Equal(3, loss.GammaNeg);
        Assert.Equal(0.01, loss.Adaptive!.Lambda);
        Assert.Equal([0.5, 0.5, 0.5], config.Image.Mean);
    }

    [Fact]
    public void Parse_Empty_GivesValidDefaults()
    {
        var config = TrainingConfigLoader.Parse("");
        Assert.Equal(DataKind.SyntheticShapes, config.Data.Kind);
        Assert.Equal(ModelName.SmallCnn, config.Model.Name);
    }

    public static TheoryData<string, string[], string, string> BadConfigs => new()
    {
        { CocoYaml, ["loss.gama_neg=2"], "loss.gama_neg", "allowed keys here: preset, gamma_neg" },
        { CocoYaml, ["run.batch_size=many"], "run.batch_size", "'many' is not an integer" },
        { CocoYaml, ["run.precision=fp8"], "run.precision", "allowed: one of: float32, bfloat16, float16" },
        { CocoYaml, ["model.name=vit"], "model.name", "allowed: one of: resnet18, resnet50" },
        { CocoYaml, ["loss.clip=1.5"], "loss.clip", "allowed: a finite number in [0, 1)" },
        { CocoYaml, ["loss.preset=asymmetric"], "loss.preset", "allowed: one of: asl, asl-coco, bce, focal" },
        { CocoYaml, ["data.val_images=~"], "data.val_images", "is required when data.kind is coco" },
        { CocoYaml, ["schedule.stop_epoch=90"], "schedule.stop_epoch", "90 is more than schedule.epochs (80); allowed: an integer in [0, 80]" },
        { CocoYaml, ["image.mean=[0.5]"], "image.mean", "both empty or both 3 values" },
        { CocoYaml, ["image.size.x=3"], "image.size", "is a value, not a section" },
        { "data: [1, 2]", [], "data", "must be a section with keys" },
        { "data:\n  kind: [coco", [], "config", "not valid YAML at line" },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public void Parse_BadSetting_ThrowsNamingFieldAndAllowedValues(string yaml, string[] overrides, string field, string message)
    {
        var error = Assert.Throws<ConfigException>(() => TrainingConfigLoader.Parse(yaml, overrides));
        Assert.Equal(field, error.Field);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void ToYaml_ThenParse_GivesTheSameSettings()
    {
        var config = TrainingConfigLoader.Parse(CocoYaml, ["loss.adaptive.target_prob_gap=0.2"]);
        string yaml = TrainingConfigLoader.ToYaml(config);
        Assert.Equal(yaml, TrainingConfigLoader.ToYaml(TrainingConfigLoader.Parse(yaml)));
        Assert.Contains("gamma_neg_max: 8", yaml);
    }

    [Fact]
    public void Load_MissingFile_NamesThePath()
    {
        var error = Assert.Throws<ConfigException>(() => TrainingConfigLoader.Load("/nonexistent/train.yaml"));
        Assert.Equal("/nonexistent/train.yaml", error.Field);
    }
}
