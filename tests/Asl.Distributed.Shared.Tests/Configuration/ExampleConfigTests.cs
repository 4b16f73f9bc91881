using Asl.Distributed.Configuration.Training;

namespace Asl.Distributed.Shared.Tests.Configuration;

/// <summary>Every shipped example training config (train-*.yaml; sweep specs are tested in Sweeps) parses and validates as it is.</summary>
public sealed class ExampleConfigTests
{
    public static TheoryData<string> Examples()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.GetFiles(ExamplesFolder(), "train-*.yaml").Order())
            data.Add(Path.GetFileName(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_AsShipped_LoadsAndValidates(string file)
    {
        var config = TrainingConfigLoader.Load(Path.Combine(ExamplesFolder(), file));
        Assert.False(string.IsNullOrWhiteSpace(config.Output.Dir));
    }

    [Fact]
    public void CocoExample_IsTheOfficialRecipe()
    {
        var config = TrainingConfigLoader.Load(Path.Combine(ExamplesFolder(), "train-coco-tresnet-l-448.yaml"));
        var loss = config.Loss.ToOptions();
        Assert.Equal((ModelName.TResNetL, 448, 128), (config.Model.Name, config.Image.Size, config.Run.BatchSize));
        Assert.Equal((4.0, 0.0, 0.05), (loss.GammaNeg, loss.GammaPos, loss.Clip));
        Assert.Equal((1e-4, 1e-4, 80, 40, 0.9997), (config.Optimizer.Lr, config.Optimizer.WeightDecay, config.Schedule.Epochs, config.Schedule.StopEpoch, config.Run.EmaDecay));
    }

    private static string ExamplesFolder()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !Directory.Exists(Path.Combine(folder.FullName, "examples")))
            folder = folder.Parent;
        return Path.Combine(folder?.FullName ?? throw new DirectoryNotFoundException("no examples/ folder above the test output"), "examples");
    }
}
