using Asl.Distributed.Training.Data;

namespace Asl.Distributed.Training.Tests.Data;

public sealed class CocoBadDataTests
{
    [Theory]
    [InlineData("""{"images": [{"id": 1, "file_name": "a.jpg"}], "annotations": [""")]
    [InlineData("""{"images": [{"id": 1, "file_name": "a.jpg"},, ]}""")]
    [InlineData("image,labels\na.jpg,cat")]
    [InlineData("")]
    public void Load_NotValidJson_ThrowsNamingTheFile(string content)
    {
        using var temp = new TempDirectory();
        string file = temp.Write("broken_instances.json", content);

        var error = Assert.Throws<DataSetException>(() => CocoDataset.Load(file, temp.Path, new CocoOptions { BadRecordPolicy = BadRecordPolicy.Skip }));

        Assert.Contains("broken_instances.json", error.Message);
        Assert.Contains("not valid JSON", error.Message);
        Assert.Null(error.Record);
    }

    [Theory]
    [InlineData("""{"images": [], "annotations": []}""", "'categories'")]
    [InlineData("""{"annotations": [], "categories": []}""", "'images'")]
    [InlineData("""[1, 2]""", "one JSON object")]
    [InlineData("""{"images": {}, "categories": []}""", "'images' must be an array")]
    public void Load_NotACocoFile_ThrowsSayingWhatIsMissing(string content, string expected)
    {
        using var temp = new TempDirectory();
        string file = temp.Write("odd.json", content);

        var error = Assert.Throws<DataSetException>(() => CocoDataset.Load(file, temp.Path, new CocoOptions()));

        Assert.Contains("odd.json", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Load_UnknownCategoryId_ThrowsNamingAnnotationImageAndAllowedIds()
    {
        using var temp = new TempDirectory();
        string file = temp.Write("instances.json", CocoTestFiles.WithAnnotation5("""{"id": 5, "image_id": 100, "category_id": 77}"""));

        var error = Assert.Throws<DataSetException>(() => CocoDataset.Load(file, temp.Path, new CocoOptions()));

        Assert.Contains("instances.json", error.Message);
        Assert.Contains("annotation id 5", error.Message);
        Assert.Contains("image id 100", error.Message);
        Assert.Contains("category id 77", error.Message);
        Assert.Contains("allowed ids: 1, 3, 18, 90", error.Message);
        Assert.Equal(file, error.FilePath);
    }

    [Fact]
    public void Load_AnnotationOfMissingImage_ThrowsNamingAnnotationAndImageId()
    {
        using var temp = new TempDirectory();
        string file = temp.Write("instances.json", CocoTestFiles.WithAnnotation5("""{"id": 5, "image_id": 555, "category_id": 3}"""));

        var error = Assert.Throws<DataSetException>(() => CocoDataset.Load(file, temp.Path, new CocoOptions()));

        Assert.Contains("instances.json", error.Message);
        Assert.Contains("annotation id 5", error.Message);
        Assert.Contains("image id 555 is not in 'images'", error.Message);
    }

    [Fact]
    public void Load_AnnotationWithoutCategory_ThrowsNamingItsPosition()
    {
        using var temp = new TempDirectory();
        string file = temp.Write("instances.json", CocoTestFiles.WithAnnotation5("""{"id": 5, "image_id": 100, "category_id": "car"}"""));

        var error = Assert.Throws<DataSetException>(() => CocoDataset.Load(file, temp.Path, new CocoOptions()));

        Assert.Contains("annotations[4]", error.Message);
        Assert.Contains("annotation id 5", error.Message);
        Assert.Contains("category_id", error.Message);
    }

    [Fact]
    public void LoadWithReport_SkipPolicy_DropsBadAnnotationsAndCountsThem()
    {
        // Image 100's only annotation is bad, so the image goes too (it is left without annotations); image 42
        // keeps its good annotations.
        string content = CocoTestFiles.WithAnnotation5("""{"id": 5, "image_id": 100, "category_id": 77}, {"id": 6, "image_id": 555, "category_id": 1}, {"id": 7, "image_id": 42, "category_id": 3}""");
        using var temp = new TempDirectory();
        string file = temp.Write("instances.json", content);

        var result = CocoDataset.LoadWithReport(file, temp.Path, new CocoOptions { BadRecordPolicy = BadRecordPolicy.Skip, MaxReportedExamples = 1 });

        Assert.Equal(2, result.Report.SkippedRecords);
        Assert.False(result.Report.IsClean);
        var example = Assert.Single(result.Report.Examples);
        Assert.Contains("category id 77", example);
        Assert.Equal(["image id 42", "image id 7"], result.Dataset.Samples.Select(s => s.Record));
        Assert.Equal([0, 1, 3], result.Dataset.Samples[0].Labels);
    }

    [Fact]
    public void LoadWithReport_CleanFile_ReportsNothingSkipped()
    {
        using var temp = new TempDirectory();
        string file = temp.Write("instances.json", CocoTestFiles.Instances);

        var result = CocoDataset.LoadWithReport(file, temp.Path, new CocoOptions { BadRecordPolicy = BadRecordPolicy.Skip });

        Assert.True(result.Report.IsClean);
        Assert.Equal(0, result.Report.SkippedRecords);
    }

    [Fact]
    public void Load_DuplicateImageId_ThrowsNamingTheId()
    {
        using var temp = new TempDirectory();
        string file = temp.Write("instances.json", CocoTestFiles.Instances.Replace("\"id\": 9, \"file_name\": \"c.jpg\"", "\"id\": 7, \"file_name\": \"c.jpg\"", StringComparison.Ordinal));

        var error = Assert.Throws<DataSetException>(() => CocoDataset.Load(file, temp.Path, new CocoOptions()));

        Assert.Contains("image id 7", error.Message);
        Assert.Contains("c.jpg", error.Message);
    }

    [Fact]
    public void Load_VerifyImagesExist_NamesTheMissingFile()
    {
        using var temp = new TempDirectory();
        string file = temp.Write("instances.json", CocoTestFiles.Instances);
        temp.Write("images/a.jpg", "not really a jpeg");
        temp.Write("images/sub/d.jpg", "not really a jpeg");
        string folder = temp.Combine("images");

        Assert.Equal(3, CocoDataset.Load(file, folder, new CocoOptions()).Samples.Count);
        var error = Assert.Throws<DataSetException>(() => CocoDataset.Load(file, folder, new CocoOptions { VerifyImagesExist = true }));
        var skipped = CocoDataset.LoadWithReport(file, folder, new CocoOptions { VerifyImagesExist = true, BadRecordPolicy = BadRecordPolicy.Skip });

        Assert.Contains(temp.Combine("images/b.jpg"), error.Message);
        Assert.Contains("image id 7", error.Message);
        Assert.Equal(1, skipped.Report.SkippedRecords);
        Assert.Equal(["image id 42", "image id 100"], skipped.Dataset.Samples.Select(s => s.Record));
    }
}
