using Asl.Distributed.Training.Data;

namespace Asl.Distributed.Training.Tests.Data;

public sealed class ListBadDataTests
{
    [Theory]
    [InlineData("list.csv", "image,labels\na.jpg,cat\nb.jpg,cat;zebra\n", "line 3")]
    [InlineData("list.jsonl", "{\"image\": \"a.jpg\", \"labels\": [\"cat\"]}\n{\"image\": \"b.jpg\", \"labels\": [\"zebra\"]}\n", "line 2")]
    public void Load_LabelNotInClassList_ThrowsNamingFileLineLabelAndAllowedClasses(string fileName, string content, string line)
    {
        using var temp = new TempDirectory();
        string file = temp.Write(fileName, content);
        string classes = temp.Write("classes.txt", "cat\ndog\n");

        var error = Assert.Throws<DataSetException>(() => ListDataset.Load(file, temp.Path, new ListOptions { ClassListFile = classes }));

        Assert.Contains(fileName, error.Message);
        Assert.Contains(line, error.Message);
        Assert.Contains("b.jpg", error.Message);
        Assert.Contains("'zebra'", error.Message);
        Assert.Contains("cat, dog", error.Message);
        Assert.Contains("classes.txt", error.Message);
    }

    [Theory]
    [InlineData("image,labels\na.jpg,cat\n\"b.jpg,dog\n", "line 3", "unterminated")]
    [InlineData("image,labels\na.jpg,cat\nb.jpg\n", "line 3", "field")]
    [InlineData("image,labels\n,cat\n", "line 2", "empty image")]
    public void Load_MalformedCsvRecord_ThrowsNamingTheLine(string content, string line, string problem)
    {
        using var temp = new TempDirectory();
        string file = temp.Write("bad.csv", content);

        var error = Assert.Throws<DataSetException>(() => ListDataset.Load(file, temp.Path, new ListOptions()));

        Assert.Contains("bad.csv", error.Message);
        Assert.Contains(line, error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Theory]
    [InlineData("file,tags\na.jpg,cat\n")]
    [InlineData("\n\n")]
    public void Load_CsvWithoutUsableHeader_ThrowsEvenWhenSkipping(string content)
    {
        using var temp = new TempDirectory();
        string file = temp.Write("noheader.csv", content);

        var error = Assert.Throws<DataSetException>(() => ListDataset.Load(file, temp.Path, new ListOptions { BadRecordPolicy = BadRecordPolicy.Skip }));

        Assert.Contains("noheader.csv", error.Message);
        Assert.Contains("'image' and 'labels'", error.Message);
    }

    [Theory]
    [InlineData("{\"image\": \"b.jpg\", \"labels\": [\"dog\"", "not valid JSON")]
    [InlineData("[\"b.jpg\", \"dog\"]", "not a JSON object")]
    [InlineData("{\"image\": \"b.jpg\"}", "no 'labels'")]
    [InlineData("{\"labels\": []}", "no 'image'")]
    [InlineData("{\"image\": \"b.jpg\", \"labels\": [\"dog\", 3]}", "array of strings")]
    [InlineData("{\"image\": \"b.jpg\", \"labels\": []} {}", "JSON")]
    public void Load_MalformedJsonLine_ThrowsNamingTheLine(string badLine, string problem)
    {
        using var temp = new TempDirectory();
        string file = temp.Write("bad.jsonl", "{\"image\": \"a.jpg\", \"labels\": [\"cat\"]}\n" + badLine + "\n");

        var error = Assert.Throws<DataSetException>(() => ListDataset.Load(file, temp.Path, new ListOptions()));

        Assert.Contains("bad.jsonl", error.Message);
        Assert.Contains("line 2", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void LoadWithReport_SkipPolicy_CountsBadLinesAndKeepsTheRest()
    {
        using var temp = new TempDirectory();
        string file = temp.Write("mixed.csv", "image,labels\na.jpg,cat\nb.jpg,zebra\n\"c.jpg,cat\nd.jpg,dog|cat\ne.jpg,unicorn\n");
        string classes = temp.Write("classes.txt", "cat\ndog\n");

        var result = ListDataset.LoadWithReport(file, temp.Path, new ListOptions { ClassListFile = classes, BadRecordPolicy = BadRecordPolicy.Skip, MaxReportedExamples = 2 });

        Assert.Equal(3, result.Report.SkippedRecords);
        Assert.Equal(2, result.Report.Examples.Count);
        Assert.Contains("line 3", result.Report.Examples[0]);
        Assert.Contains("line 4", result.Report.Examples[1]);
        Assert.Contains("3 record(s) skipped", result.Report.ToString());
        Assert.Equal(["line 2", "line 5"], result.Dataset.Samples.Select(s => s.Record));
        Assert.Equal([[0], [0, 1]], result.Dataset.Samples.Select(s => s.Labels));
    }

    [Fact]
    public void Load_ClassListWithRepeatedName_ThrowsNamingItsLine()
    {
        using var temp = new TempDirectory();
        string file = temp.Write("list.csv", "image,labels\na.jpg,cat\n");
        string classes = temp.Write("classes.txt", "cat\ndog\ncat\n");

        var error = Assert.Throws<DataSetException>(() => ListDataset.Load(file, temp.Path, new ListOptions { ClassListFile = classes }));

        Assert.Contains("classes.txt", error.Message);
        Assert.Contains("line 3", error.Message);
        Assert.Contains("'cat'", error.Message);
    }

    [Fact]
    public void Load_VerifyImagesExist_NamesTheMissingImage()
    {
        using var temp = new TempDirectory();
        string file = temp.Write("list.csv", "image,labels\na.jpg,cat\nb.jpg,dog\n");
        temp.Write("a.jpg", "x");

        var error = Assert.Throws<DataSetException>(() => ListDataset.Load(file, temp.Path, new ListOptions { VerifyImagesExist = true }));
        var skipped = ListDataset.LoadWithReport(file, temp.Path, new ListOptions { VerifyImagesExist = true, BadRecordPolicy = BadRecordPolicy.Skip });

        Assert.Contains(temp.Combine("b.jpg"), error.Message);
        Assert.Contains("line 3", error.Message);
        Assert.Equal(1, skipped.Report.SkippedRecords);
        Assert.Single(skipped.Dataset.Samples);
    }
}
