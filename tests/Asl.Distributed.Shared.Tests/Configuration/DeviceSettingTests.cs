using Asl.Distributed.Configuration;
using Asl.Distributed.Configuration.Schema;
using Asl.Distributed.Configuration.Training;

namespace Asl.Distributed.Shared.Tests.Configuration;

/// <summary>
/// <c>run.device</c>, a value with its own syntax: read in any case through YAML and overrides into a typed
/// <see cref="ComputeDevice"/>, written back canonically, refused with the key and the allowed forms.
/// </summary>
public sealed class DeviceSettingTests
{
    public static TheoryData<string, string, DeviceKind, int?> Spellings() => new()
    {
        { "auto", "auto", DeviceKind.Auto, null },
        { "AUTO", "auto", DeviceKind.Auto, null },
        { "cpu", "cpu", DeviceKind.Cpu, null },
        { " Cpu ", "cpu", DeviceKind.Cpu, null },
        { "cuda", "cuda", DeviceKind.Cuda, null },
        { "CUDA:0", "cuda:0", DeviceKind.Cuda, 0 },
        { "cuda:7", "cuda:7", DeviceKind.Cuda, 7 },
        { "Cuda:12", "cuda:12", DeviceKind.Cuda, 12 },
    };

    [Theory]
    [MemberData(nameof(Spellings))]
    public void Device_AnySpellingThroughOverrideAndYaml_ReadsTheTypedValueAndWritesItCanonically(string spelling, string canonical, DeviceKind kind, int? index)
    {
        var overridden = TrainingConfigLoader.Parse(BaseYaml, [$"run.device={spelling}"]);
        var fromYaml = TrainingConfigLoader.Parse(BaseYaml + $"run:\n  device: '{spelling}'\n");

        foreach (var config in new[] { overridden, fromYaml })
        {
            Assert.Equal((kind, index), (config.Run.Device.Kind, config.Run.Device.Index));
            string yaml = TrainingConfigLoader.ToYaml(config);
            Assert.Contains($"  device: {canonical}\n", yaml);
            Assert.Equal(config.Run.Device, TrainingConfigLoader.Parse(yaml).Run.Device);
        }
    }

    [Fact]
    public void Device_Default_IsAuto()
    {
        Assert.Equal(ComputeDevice.Auto, new TrainingConfig().Run.Device);
        var key = TrainingConfig.Schema.Find("run.device")!;
        Assert.Equal((SettingKind.Parsed, "device", "auto"), (key.Kind, key.TypeName, key.Default));
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    [InlineData("cuda0")]
    [InlineData("cpu:0")]
    [InlineData("cuda:99999999999")]
    public void Device_NotADevice_IsRefusedNamingTheKeyAndTheAllowedForms(string value)
    {
        var error = Assert.Throws<ConfigException>(() => TrainingConfigLoader.Parse(BaseYaml, [$"run.device={value}"]));

        Assert.Equal($"run.device: '{value}' is not allowed; allowed: auto, cpu, cuda or cuda:N (N a CUDA device index >= 0)", error.Message);
    }

    [Fact]
    public void Device_PatternOfTheJsonSchema_MatchesExactlyWhatTheReaderAccepts()
    {
        var pattern = new System.Text.RegularExpressions.Regex(ComputeDevice.Pattern);
        foreach (string text in new[] { "auto", "CPU", " cuda ", "cuda:3", "gpu", "cuda:", "cuda:-1", "cpu:0", "cudax", "" })
            Assert.Equal(ComputeDevice.TryParse(text, out _), pattern.IsMatch(text));
    }

    private const string BaseYaml = "output:\n  dir: runs/device\n";
}
