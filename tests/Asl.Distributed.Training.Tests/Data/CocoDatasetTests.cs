using System.Text;
using Asl.Distributed.Training.Data;

namespace Asl.Distributed.Training.Tests.Data;

public sealed class CocoDatasetTests
{
    [Fact]
    public void Load_HandWrittenInstances_MapsCategoriesInFileOrderAndKeepsAnnotatedImages()
    {
        using var temp = new TempDirectory();
        string file = temp.Write("annotations/instances_test.json", CocoTestFiles.Instances);

        var dataset = CocoDataset.Load(file, temp.Combine("images"), new CocoOptions());

        Assert.Equal(["dog", "person", "toothbrush", "car"], dataset.ClassNames);
        Assert.Equal("instances_test", dataset.Name);
        Assert.Equal(file, dataset.Source);
        Assert.Equal(3, dataset.Samples.Count);
        AssertSample(dataset.Samples[0], temp.Combine("images/a.jpg"), [0, 1], "image id 42");
        AssertSample(dataset.Samples[1], temp.Combine("images/b.jpg"), [2], "image id 7");
        AssertSample(dataset.Samples[2], temp.Combine("images/sub/d.jpg"), [3], "image id 100");
    }

    [Fact]
    public void Load_IncludeImagesWithoutAnnotations_KeepsUnannotatedImageWithNoLabels()
    {
        using var temp = new TempDirectory();
        string file = temp.Write("instances.json", CocoTestFiles.Instances);

        var dataset = CocoDataset.Load(file, temp.Path, new CocoOptions { IncludeImagesWithoutAnnotations = true, Name = "coco-test" });

        Assert.Equal("coco-test", dataset.Name);
        Assert.Equal(["image id 42", "image id 7", "image id 9", "image id 100"], dataset.Samples.Select(s => s.Record));
        Assert.Empty(dataset.Samples[2].Labels);
        var row = new float[4];
        dataset.WriteTargets(0, row);
        Assert.Equal([1f, 1f, 0f, 0f], row);
    }

    [Fact]
    public void Load_FileWithByteOrderMark_ReadsLikeWithout()
    {
        using var temp = new TempDirectory();
        string file = temp.Combine("bom.json");
        File.WriteAllText(file, CocoTestFiles.Instances, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        Assert.Equal(0xEF, File.ReadAllBytes(file)[0]);

        var dataset = CocoDataset.Load(file, temp.Path, new CocoOptions());

        Assert.Equal([[0, 1], [2], [3]], dataset.Samples.Select(s => s.Labels));
    }

    [Fact]
    public void Load_LargeFileAcrossManyBufferRefills_MatchesLabelsItWasWrittenWith()
    {
        // Several megabytes with a string longer than the reader's window and long polygons, so tokens straddle
        // refills; the expected labels come from the generator below, not from the reader.
        const int images = 3_000;
        var random = new Random(5);
        var expected = new SortedSet<int>[images];
        var json = new StringBuilder();
        json.Append("{\"info\": {\"description\": \"").Append('x', 700_000).Append("\"},\n\"images\": [");
        for (int i = 0; i < images; i++)
        {
            expected[i] = [];
            json.Append(i == 0 ? "" : ",").Append($$"""{"id": {{1000 + 3 * i}}, "file_name": "img_{{i}}.jpg"}""");
        }

        json.Append("],\n\"annotations\": [");
        int[] categoryIds = [5, 2, 11, 8, 3];
        for (int a = 0; a < 4 * images; a++)
        {
            int image = random.Next(images);
            int label = random.Next(categoryIds.Length);
            expected[image].Add(label);
            json.Append(a == 0 ? "" : ",").Append($$"""{"id": {{a}}, "image_id": {{1000 + 3 * image}}, "category_id": {{categoryIds[label]}}, "segmentation": [[""");
            for (int k = 0; k < 40; k++)
                json.Append(k == 0 ? "" : ", ").Append(random.Next(100_000) / 100.0);
            json.Append("]]}");
        }

        json.Append("],\n\"categories\": [");
        json.AppendJoin(", ", categoryIds.Select((id, i) => $$"""{"id": {{id}}, "name": "c{{i}}"}"""));
        json.Append("]}");
        using var temp = new TempDirectory();
        string file = temp.Write("big.json", json.ToString());
        Assert.True(new FileInfo(file).Length > 3_000_000);

        var dataset = CocoDataset.Load(file, temp.Path, new CocoOptions { IncludeImagesWithoutAnnotations = true });

        Assert.Equal(images, dataset.Samples.Count);
        for (int i = 0; i < images; i++)
            Assert.Equal(expected[i].ToArray(), dataset.Samples[i].Labels);
    }

    [Fact]
    public void Load_MissingFile_ThrowsNamingIt()
    {
        using var temp = new TempDirectory();
        string file = temp.Combine("nowhere.json");

        var error = Assert.Throws<DataSetException>(() => CocoDataset.Load(file, temp.Path, new CocoOptions()));

        Assert.Contains(file, error.Message);
        Assert.Equal(file, error.FilePath);
    }

    [Fact]
    public void Load_InvalidOptions_ThrowsNamingTheSetting()
    {
        using var temp = new TempDirectory();
        string file = temp.Write("instances.json", CocoTestFiles.Instances);

        var error = Assert.Throws<ArgumentException>(() => CocoDataset.Load(file, temp.Path, new CocoOptions { MaxReportedExamples = -1 }));

        Assert.Contains("MaxReportedExamples", error.Message);
    }

    private static void AssertSample(MultiLabelSample sample, string path, int[] labels, string record)
    {
        Assert.Equal(path, sample.ImagePath);
        Assert.Equal(labels, sample.Labels);
        Assert.Equal(record, sample.Record);
    }
}
