using System.Text;
using Asl.Distributed.Training.Data;

namespace Asl.Distributed.Training.Tests.Data;

public sealed class ListDatasetTests
{
    private const string Csv = """
        image,labels
        a.jpg,cat;dog
        b.jpg, dog | bird

        "c,1.jpg","cat"
        d.jpg,
        """;

    private const string JsonLines = "\n" + """
        {"image": "a.jpg", "labels": ["cat", "dog"]}
        {"labels": ["dog", "bird"], "image": "b.jpg", "source": {"id": [1, 2]}}

        {"image": "c,1.jpg", "labels": ["cat", "cat"]}
        {"image": "d.jpg", "labels": []}
        """;

    [Theory]
    [InlineData("list.csv", Csv)]
    [InlineData("list.jsonl", JsonLines)]
    public void Load_CollectedClasses_OrdersClassesByFirstAppearance(string fileName, string content)
    {
        using var temp = new TempDirectory();
        string file = temp.Write(fileName, content);

        var dataset = ListDataset.Load(file, temp.Combine("img"), new ListOptions());

        Assert.Equal(["cat", "dog", "bird"], dataset.ClassNames);
        Assert.Equal([[0, 1], [1, 2], [0], []], dataset.Samples.Select(s => s.Labels));
        Assert.Equal(temp.Combine("img/c,1.jpg"), dataset.Samples[2].ImagePath);
        Assert.Equal(["line 2", "line 3", "line 5", "line 6"], dataset.Samples.Select(s => s.Record));
    }

    [Theory]
    [InlineData("list.csv", Csv)]
    [InlineData("list.jsonl", JsonLines)]
    public void Load_GivenClassListFile_UsesItsOrder(string fileName, string content)
    {
        using var temp = new TempDirectory();
        string file = temp.Write(fileName, content);
        string classes = temp.Write("classes.txt", "bird\n\n cat \ndog\nfish\n");

        var dataset = ListDataset.Load(file, temp.Path, new ListOptions { ClassListFile = classes });

        Assert.Equal(["bird", "cat", "dog", "fish"], dataset.ClassNames);
        Assert.Equal([[1, 2], [0, 2], [1], []], dataset.Samples.Select(s => s.Labels));
    }

    [Fact]
    public void Load_GivenClassNamesAndExplicitFormat_ReadsFileWithOtherExtension()
    {
        using var temp = new TempDirectory();
        string file = temp.Write("list.txt", JsonLines);

        var dataset = ListDataset.Load(file, temp.Path, new ListOptions { Format = ListFormat.JsonLines, ClassNames = ["dog", "cat", "bird"] });

        Assert.Equal([[0, 1], [0, 2], [1], []], dataset.Samples.Select(s => s.Labels));
    }

    [Fact]
    public void Load_CsvWithExtraColumnsInAnyOrder_FindsImageAndLabels()
    {
        using var temp = new TempDirectory();
        string file = temp.Write("list.csv", "id,Labels,IMAGE\n1,\"x;\"\"q\"\"\",a.jpg\n2,y,b.jpg\n");

        var dataset = ListDataset.Load(file, temp.Path, new ListOptions());

        Assert.Equal(["x", "\"q\"", "y"], dataset.ClassNames);
        Assert.Equal(temp.Combine("a.jpg"), dataset.Samples[0].ImagePath);
    }

    [Fact]
    public void Load_HundredThousandLinesWithThousandsOfClasses_IsExact()
    {
        const int lines = 100_000;
        const int classes = 5_000;
        var random = new Random(11);
        var expected = new int[lines][];
        var csv = new StringBuilder("image,labels\n");
        var names = Enumerable.Range(0, classes).Select(c => $"/m/{c:x5}").ToArray();
        for (int i = 0; i < lines; i++)
        {
            expected[i] = Enumerable.Range(0, random.Next(0, 6)).Select(_ => random.Next(classes)).Distinct().Order().ToArray();
            csv.Append($"images/{i:D7}.jpg,").AppendJoin('|', expected[i].Select(c => names[c])).Append('\n');
        }

        using var temp = new TempDirectory();
        string file = temp.Write("open_images.csv", csv.ToString());
        string classFile = temp.Write("classes.txt", string.Join('\n', names));

        // How fast is a speed figure for docs/benchmarks.md, not a test.
        var dataset = ListDataset.Load(file, temp.Path, new ListOptions { ClassListFile = classFile });

        Assert.Equal(classes, dataset.ClassCount);
        Assert.Equal(lines, dataset.Samples.Count);
        for (int i = 0; i < lines; i += 997)
            Assert.Equal(expected[i], dataset.Samples[i].Labels);
    }

    [Fact]
    public void Load_UnknownExtension_ThrowsListingFormats()
    {
        using var temp = new TempDirectory();
        string file = temp.Write("list.tsv", Csv);

        var error = Assert.Throws<DataSetException>(() => ListDataset.Load(file, temp.Path, new ListOptions()));

        Assert.Contains("list.tsv", error.Message);
        Assert.Contains(".csv, .jsonl", error.Message);
    }

    [Fact]
    public void Load_BothClassSourcesGiven_ThrowsNamingThem()
    {
        using var temp = new TempDirectory();
        string file = temp.Write("list.csv", Csv);

        var error = Assert.Throws<ArgumentException>(() => ListDataset.Load(file, temp.Path, new ListOptions { ClassListFile = "c.txt", ClassNames = ["a"] }));

        Assert.Contains("ClassListFile", error.Message);
        Assert.Contains("ClassNames", error.Message);
    }
}
