using Asl.Distributed.Training.Models;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Tests.Models;

/// <summary>Save/load in the three formats, head replacement, key reports and damaged files.</summary>
public sealed class WeightLoaderTests
{
    [Theory]
    [InlineData("weights.dat", WeightFormat.TorchSharp)]
    [InlineData("weights.pt", WeightFormat.PyTorch)]
    [InlineData("weights.safetensors", WeightFormat.Safetensors)]
    public void Load_RoundTrip_ParametersAndBuffersBitwiseEqual(string fileName, WeightFormat expectedFormat)
    {
        using var dir = new ScratchDirectory();
        using var scope = NewDisposeScope();
        using var source = Randomized(new SmallCnn(6, width: 8, depth: 3), seed: 21);
        using var target = new SmallCnn(6, width: 8, depth: 3);
        string path = dir.File(fileName);
        WeightLoader.Save(source, path);

        var result = WeightLoader.Load(target, path);

        Assert.Equal(expectedFormat, result.Format);
        Assert.True(result.IsExact, result.ToString());
        var expected = source.state_dict();
        var actual = target.state_dict();
        Assert.Equal(expected.Count, result.LoadedKeys.Count);
        foreach (var (key, tensor) in expected)
        {
            Assert.Equal(tensor.dtype, actual[key].dtype);
            Assert.True(tensor.bytes.SequenceEqual(actual[key].bytes), key);
        }
    }

    [Fact]
    public void Load_ImageNetResNet18IntoEightyClasses_KeepsBackboneAndReportsHead()
    {
        using var dir = new ScratchDirectory();
        using var scope = NewDisposeScope();
        torch.manual_seed(22);
        using var source = ResNet.ResNet18(1000);
        using var target = ResNet.ResNet18(80);
        string path = dir.File("resnet18.pth");
        source.save_py(path);
        var freshHead = target.state_dict()["fc.weight"].clone();

        var result = WeightLoader.Load(target, path);

        Assert.True(result.HeadReinitialized);
        Assert.Contains("fc.weight", result.HeadMismatch);
        Assert.Contains("1000", result.HeadMismatch);
        Assert.Empty(result.MissingKeys);
        Assert.Empty(result.UnexpectedKeys);
        Assert.DoesNotContain("fc.weight", result.LoadedKeys);
        Assert.DoesNotContain("fc.bias", result.LoadedKeys);
        Assert.Equal(source.state_dict().Count - 2, result.LoadedKeys.Count);
        var expected = source.state_dict();
        var actual = target.state_dict();
        Assert.True(SameBits(expected["layer4.1.conv2.weight"], actual["layer4.1.conv2.weight"]));
        Assert.True(SameBits(expected["bn1.running_var"], actual["bn1.running_var"]));
        Assert.True(SameBits(freshHead, actual["fc.weight"]));
    }

    [Fact]
    public void Load_MissingAndExtraKeys_ReportedAndRestLoaded()
    {
        using var dir = new ScratchDirectory();
        using var scope = NewDisposeScope();
        using var source = Randomized(new SmallCnn(4, width: 8, depth: 2), seed: 23);
        using var target = new SmallCnn(4, width: 8, depth: 2);
        var sd = new Dictionary<string, Tensor>(source.state_dict());
        sd.Remove("features.1.0.weight");
        sd["extra.weight"] = torch.ones(3);
        string path = dir.File("partial.safetensors");
        Safetensors.SaveStateDict(path, sd);
        var before = target.state_dict()["features.1.0.weight"].clone();

        var result = WeightLoader.Load(target, path);

        Assert.Equal(["features.1.0.weight"], result.MissingKeys);
        Assert.Equal(["extra.weight"], result.UnexpectedKeys);
        Assert.False(result.IsExact);
        Assert.True(SameBits(before, target.state_dict()["features.1.0.weight"]));
        Assert.True(SameBits(source.state_dict()["fc.weight"], target.state_dict()["fc.weight"]));
    }

    [Fact]
    public void Load_StrictWithMissingKey_ThrowsAndLeavesModelUnchanged()
    {
        using var dir = new ScratchDirectory();
        using var scope = NewDisposeScope();
        using var source = Randomized(new SmallCnn(4, width: 8, depth: 2), seed: 24);
        using var target = new SmallCnn(4, width: 8, depth: 2);
        var sd = new Dictionary<string, Tensor>(source.state_dict());
        sd.Remove("fc.bias");
        string path = dir.File("partial.pt");
        using (var stream = File.Create(path))
            PyTorchPickler.PickleStateDict(stream, sd);
        var before = target.state_dict()["fc.weight"].clone();

        var e = Assert.Throws<InvalidDataException>(() => WeightLoader.Load(target, path, strict: true));

        Assert.Contains("fc.bias", e.Message);
        Assert.Contains(path, e.Message);
        Assert.True(SameBits(before, target.state_dict()["fc.weight"]));
    }

    [Fact]
    public void Load_WithoutBatchCounters_NotReportedMissing()
    {
        using var dir = new ScratchDirectory();
        using var scope = NewDisposeScope();
        using var source = Randomized(new SmallCnn(4, width: 8, depth: 2), seed: 25);
        using var target = new SmallCnn(4, width: 8, depth: 2);
        var sd = source.state_dict().Where(kv => !kv.Key.EndsWith("num_batches_tracked")).ToDictionary();
        string path = dir.File("old.pt");
        using (var stream = File.Create(path))
            PyTorchPickler.PickleStateDict(stream, sd);

        var result = WeightLoader.Load(target, path, strict: true);

        Assert.Empty(result.MissingKeys);
        Assert.Equal(sd.Count, result.LoadedKeys.Count);
        Assert.True(SameBits(source.state_dict()["features.0.1.running_mean"], target.state_dict()["features.0.1.running_mean"]));
    }

    [Fact]
    public void Load_DataParallelPrefix_Stripped()
    {
        using var dir = new ScratchDirectory();
        using var scope = NewDisposeScope();
        using var source = Randomized(new SmallCnn(4, width: 8, depth: 2), seed: 26);
        using var target = new SmallCnn(4, width: 8, depth: 2);
        var sd = source.state_dict().ToDictionary(kv => "module." + kv.Key, kv => kv.Value);
        string path = dir.File("ddp.pth");
        using (var stream = File.Create(path))
            PyTorchPickler.PickleStateDict(stream, sd);

        var result = WeightLoader.Load(target, path);

        Assert.True(result.IsExact, result.ToString());
        Assert.True(SameBits(source.state_dict()["fc.weight"], target.state_dict()["fc.weight"]));
    }

    [Fact]
    public void Load_BackboneShapeDiffers_ThrowsNamingTensorAndLeavesModelUnchanged()
    {
        using var dir = new ScratchDirectory();
        using var scope = NewDisposeScope();
        using var source = Randomized(new SmallCnn(4, width: 16, depth: 2), seed: 27);
        using var target = new SmallCnn(4, width: 8, depth: 2);
        string path = dir.File("wide.safetensors");
        WeightLoader.Save(source, path);
        var before = target.state_dict()["features.0.0.weight"].clone();

        var e = Assert.Throws<InvalidDataException>(() => WeightLoader.Load(target, path));

        Assert.Contains("features.0.0.weight", e.Message);
        Assert.Contains(path, e.Message);
        Assert.True(SameBits(before, target.state_dict()["features.0.0.weight"]));
    }

    [Theory]
    [InlineData("cut.dat")]
    [InlineData("cut.pt")]
    [InlineData("cut.safetensors")]
    public void Load_TruncatedFile_ThrowsNamingFile(string fileName)
    {
        using var dir = new ScratchDirectory();
        using var scope = NewDisposeScope();
        using var source = new SmallCnn(4, width: 8, depth: 2);
        string path = dir.File(fileName);
        WeightLoader.Save(source, path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]);

        var e = Assert.Throws<InvalidDataException>(() => WeightLoader.Load(new SmallCnn(4, width: 8, depth: 2), path, WeightLoader.FormatForExtension(path)));

        Assert.Contains(path, e.Message);
    }

    [Theory]
    [InlineData(WeightFormat.Auto)]
    [InlineData(WeightFormat.PyTorch)]
    [InlineData(WeightFormat.Safetensors)]
    public void Load_TextFile_ThrowsNamingFile(WeightFormat format)
    {
        using var dir = new ScratchDirectory();
        string path = dir.File("notes.pt");
        File.WriteAllText(path, "these are not weights, just a note that is long enough to parse\n");
        using var model = new SmallCnn(4, width: 8, depth: 2);

        var e = Assert.Throws<InvalidDataException>(() => WeightLoader.Load(model, path, format));

        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Load_SafetensorsHeaderWithoutOffsets_ThrowsNamingFile()
    {
        using var dir = new ScratchDirectory();
        string path = dir.File("odd.safetensors");
        var header = System.Text.Encoding.UTF8.GetBytes("{\"fc.weight\": 3}");
        using (var stream = File.Create(path))
        {
            stream.Write(BitConverter.GetBytes((ulong)header.Length));
            stream.Write(header);
        }

        using var model = new SmallCnn(4, width: 8, depth: 2);
        var e = Assert.Throws<InvalidDataException>(() => WeightLoader.Load(model, path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Load_ZipWithoutPickle_ThrowsNotAStateDict()
    {
        using var dir = new ScratchDirectory();
        string path = dir.File("archive.pt");
        using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Create))
        {
            using var writer = new StreamWriter(zip.CreateEntry("readme.txt").Open());
            writer.Write("hello");
        }

        using var model = new SmallCnn(4, width: 8, depth: 2);
        var e = Assert.Throws<InvalidDataException>(() => WeightLoader.Load(model, path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Load_NoFile_ThrowsFileNotFoundNamingPath()
    {
        using var model = new SmallCnn(4, width: 8, depth: 2);
        string path = Path.Combine(Path.GetTempPath(), "no-such-weights-" + Guid.NewGuid().ToString("N") + ".pt");
        var e = Assert.Throws<FileNotFoundException>(() => WeightLoader.Load(model, path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Load_UnrelatedModelFile_ThrowsNoSharedNames()
    {
        using var dir = new ScratchDirectory();
        using var source = new Mlp(4, imageSize: 4, hiddenSize: 3);
        using var target = new SmallCnn(4, width: 8, depth: 2);
        var sd = new Dictionary<string, Tensor>(source.state_dict());
        sd.Remove("fc.weight");
        sd.Remove("fc.bias");
        string path = dir.File("mlp.safetensors");
        Safetensors.SaveStateDict(path, sd);

        var e = Assert.Throws<InvalidDataException>(() => WeightLoader.Load(target, path));

        Assert.Contains("no tensor names", e.Message);
    }

    private static bool SameBits(Tensor a, Tensor b) =>
        a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) && a.bytes.SequenceEqual(b.bytes);

    // Fills every parameter and buffer with seeded random values so that a load that skipped a tensor shows.
    private static T Randomized<T>(T module, int seed)
        where T : nn.Module
    {
        torch.manual_seed(seed);
        using var noGrad = torch.no_grad();
        using var scope = NewDisposeScope();
        foreach (var (_, tensor) in module.state_dict())
        {
            if (tensor.is_floating_point())
                tensor.copy_(torch.rand_like(tensor).add_(0.5));
            else
                tensor.fill_(seed);
        }

        return module;
    }
}
