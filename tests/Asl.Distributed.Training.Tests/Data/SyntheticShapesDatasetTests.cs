using Asl.Distributed.Training.Data;
using SkiaSharp;

namespace Asl.Distributed.Training.Tests.Data;

public sealed class SyntheticShapesDatasetTests
{
    [Fact]
    public void Generate_TinySet_WritesDecodableJpegsAndCocoFilesWithKClasses()
    {
        using var temp = new TempDirectory();
        var options = SyntheticShapesOptions.Tiny;

        var report = SyntheticShapesDataset.Generate(temp.Path, options);

        Assert.Equal(32, report.TrainImages);
        Assert.Equal(8, report.ValImages);
        Assert.True(report.ImagesPerSecond > 0);
        Assert.Equal(32, Directory.GetFiles(temp.Combine("train"), "*.jpg").Length);
        Assert.Equal(8, Directory.GetFiles(temp.Combine("val"), "*.jpg").Length);
        var train = CocoDataset.Load(report.TrainAnnotationFile, report.TrainImageFolder, new CocoOptions { VerifyImagesExist = true });
        var val = CocoDataset.Load(temp.Combine("annotations/instances_val.json"), temp.Combine("val"), new CocoOptions { VerifyImagesExist = true });
        Assert.Equal(options.ClassCount, train.ClassCount);
        Assert.Equal(report.ClassNames, train.ClassNames);
        Assert.Equal(report.ClassNames, val.ClassNames);
        Assert.Equal(6, report.ClassNames.Distinct().Count());
        Assert.Equal(32, train.Samples.Count);
        Assert.Equal(8, val.Samples.Count);
        foreach (var sample in train.Samples.Concat(val.Samples))
        {
            Assert.InRange(sample.Labels.Length, 1, options.MaxObjects);
            using var bitmap = SKBitmap.Decode(sample.ImagePath);
            Assert.NotNull(bitmap);
            Assert.Equal(32, bitmap.Width);
            Assert.Equal(32, bitmap.Height);
        }
    }

    [Fact]
    public void Generate_CategoryIds_HaveGapsThatTheReaderMaps()
    {
        using var temp = new TempDirectory();
        var report = SyntheticShapesDataset.Generate(temp.Path, SyntheticShapesOptions.Tiny);
        string json = File.ReadAllText(report.ValAnnotationFile);

        Assert.Contains("\"categories\":[{\"id\":1,", json);
        Assert.Contains("{\"id\":11,", json);
        Assert.DoesNotContain("\"category_id\":2,", json);
        Assert.Contains("\"category_id\":1,", json);
    }

    [Fact]
    public void Generate_SameSeed_GivesByteIdenticalFilesAndOtherSeedDoesNot()
    {
        using var first = new TempDirectory();
        using var second = new TempDirectory();
        using var third = new TempDirectory();
        var options = SyntheticShapesOptions.Tiny with { MissingLabelFraction = 0.2, Seed = 3 };

        SyntheticShapesDataset.Generate(first.Path, options with { MaxDegreeOfParallelism = 1 });
        SyntheticShapesDataset.Generate(second.Path, options);
        SyntheticShapesDataset.Generate(third.Path, options with { Seed = 4 });

        var files = Directory.GetFiles(first.Path, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(first.Path, f)).Order().ToArray();
        Assert.Equal(43, files.Length);
        Assert.Equal(files, Directory.GetFiles(second.Path, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(second.Path, f)).Order());
        foreach (string file in files)
            Assert.True(File.ReadAllBytes(first.Combine(file)).AsSpan().SequenceEqual(File.ReadAllBytes(second.Combine(file))), $"{file} differs");
        Assert.False(File.ReadAllBytes(first.Combine("train/000001.jpg")).AsSpan().SequenceEqual(File.ReadAllBytes(third.Combine("train/000001.jpg"))));
    }

    [Fact]
    public void Generate_LongTail_ClassPresenceMatchesClosedForm()
    {
        // Each of n objects (n uniform in 1..4) is class c with probability p_c = (1/(c+1)) / sum_j 1/(j+1), so
        // P(c present) = mean over n of 1 - (1 - p_c)^n.
        const int images = 600;
        var options = new SyntheticShapesOptions { ClassCount = 8, TrainImages = images, ValImages = 0, ImageSize = 16, MissingLabelFraction = 0, Seed = 21 };
        using var temp = new TempDirectory();
        var report = SyntheticShapesDataset.Generate(temp.Path, options);
        var train = CocoDataset.Load(report.TrainAnnotationFile, report.TrainImageFolder, new CocoOptions());

        double total = Enumerable.Range(1, 8).Sum(k => 1.0 / k);
        var counts = new int[8];
        foreach (var sample in train.Samples)
        {
            foreach (int label in sample.Labels)
                counts[label]++;
        }

        for (int c = 0; c < 8; c++)
        {
            double p = 1.0 / (c + 1) / total;
            double presence = Enumerable.Range(1, 4).Average(n => 1 - Math.Pow(1 - p, n));
            double tolerance = 4.5 * Math.Sqrt(presence * (1 - presence) / images);
            Assert.InRange(counts[c] / (double)images, presence - tolerance, presence + tolerance);
        }

        Assert.True(counts[0] > 3 * counts[7], $"class 0 in {counts[0]} images, class 7 in {counts[7]}");
    }

    [Fact]
    public void Generate_MissingLabelFraction_LeavesOutThatShareOfTrainLabelsOnly()
    {
        using var temp = new TempDirectory();
        using var complete = new TempDirectory();
        var options = new SyntheticShapesOptions { ClassCount = 10, TrainImages = 300, ValImages = 50, ImageSize = 16, MissingLabelFraction = 0.25, Seed = 8 };

        var report = SyntheticShapesDataset.Generate(temp.Path, options);
        var reference = SyntheticShapesDataset.Generate(complete.Path, options with { MissingLabelFraction = 0 });

        var train = CocoDataset.Load(report.TrainAnnotationFile, report.TrainImageFolder, new CocoOptions());
        var full = CocoDataset.Load(report.CompleteTrainAnnotationFile, report.TrainImageFolder, new CocoOptions());
        Assert.Equal(300, train.Samples.Count);
        Assert.Equal(300, full.Samples.Count);
        int kept = 0, all = 0;
        for (int i = 0; i < train.Samples.Count; i++)
        {
            Assert.Subset(full.Samples[i].Labels.ToHashSet(), train.Samples[i].Labels.ToHashSet());
            Assert.NotEmpty(train.Samples[i].Labels);
            kept += train.Samples[i].Labels.Length;
            all += full.Samples[i].Labels.Length;
        }

        Assert.Equal(all, report.TrainPositiveLabels);
        Assert.Equal(all - kept, report.MissingLabels);
        Assert.InRange(1 - (double)kept / all, 0.24, 0.26);
        Assert.Equal(0, reference.MissingLabels);
        Assert.Equal(File.ReadAllBytes(reference.ValAnnotationFile), File.ReadAllBytes(report.ValAnnotationFile));
        var referenceTrain = CocoDataset.Load(reference.TrainAnnotationFile, reference.TrainImageFolder, new CocoOptions());
        Assert.Equal(referenceTrain.Samples.Select(s => s.Labels), full.Samples.Select(s => s.Labels));
    }

    [Theory]
    [InlineData("ClassCount", 37)]
    [InlineData("ImageSize", 8)]
    [InlineData("MissingLabelFraction", 1.0)]
    [InlineData("MaxObjects", 0)]
    public void Generate_SettingOutOfRange_ThrowsNamingIt(string setting, double value)
    {
        var options = setting switch
        {
            "ClassCount" => SyntheticShapesOptions.Tiny with { ClassCount = (int)value },
            "ImageSize" => SyntheticShapesOptions.Tiny with { ImageSize = (int)value },
            "MissingLabelFraction" => SyntheticShapesOptions.Tiny with { MissingLabelFraction = value },
            _ => SyntheticShapesOptions.Tiny with { MaxObjects = (int)value },
        };
        using var temp = new TempDirectory();

        var error = Assert.Throws<ArgumentException>(() => SyntheticShapesDataset.Generate(temp.Path, options));

        Assert.Contains(setting, error.Message);
        Assert.Contains("allowed", error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
    }
}
