using Asl.Distributed.Training.Data;

namespace Asl.Distributed.Training.Tests.Data;

public sealed class VocDatasetTests
{
    // The development kit's order, written out here rather than taken from the reader.
    private static readonly string[] _vocClasses =
    [
        "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow", "diningtable", "dog",
        "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor",
    ];

    [Fact]
    public void Load_DifficultCounted_LabelsEveryObject()
    {
        using var temp = new TempDirectory();
        string root = VocTestTree.Create(temp);

        var dataset = VocDataset.Load(root, "train", new VocOptions());

        Assert.Equal(_vocClasses, dataset.ClassNames);
        Assert.Equal("VOC2007-train", dataset.Name);
        Assert.Equal(3, dataset.Samples.Count);
        Assert.Equal([Label("dog"), Label("person")], dataset.Samples[0].Labels);
        Assert.Equal([Label("cat")], dataset.Samples[1].Labels);
        Assert.Equal([Label("aeroplane"), Label("dog"), Label("tvmonitor")], dataset.Samples[2].Labels);
        Assert.Equal(Path.Combine(root, "JPEGImages", "000003.jpg"), dataset.Samples[2].ImagePath);
        Assert.Contains("000003", dataset.Samples[2].Record);
    }

    [Fact]
    public void Load_IgnoreDifficult_DropsDifficultObjectsAndKeepsTheImage()
    {
        using var temp = new TempDirectory();
        string root = VocTestTree.Create(temp);

        var dataset = VocDataset.Load(root, "train", new VocOptions { IgnoreDifficult = true });

        Assert.Equal(3, dataset.Samples.Count);
        Assert.Equal([Label("dog")], dataset.Samples[0].Labels);
        Assert.Empty(dataset.Samples[1].Labels);
        Assert.Equal([Label("aeroplane"), Label("dog"), Label("tvmonitor")], dataset.Samples[2].Labels);
    }

    [Fact]
    public void Load_OtherSplit_ReadsOnlyItsImages()
    {
        using var temp = new TempDirectory();
        string root = VocTestTree.Create(temp);

        var dataset = VocDataset.Load(root, "val", new VocOptions { ImageExtension = ".png" });

        var sample = Assert.Single(dataset.Samples);
        Assert.Equal(Path.Combine(root, "JPEGImages", "000003.png"), sample.ImagePath);
    }

    [Fact]
    public void Load_UnknownSplit_ThrowsListingAvailableSplits()
    {
        using var temp = new TempDirectory();
        string root = VocTestTree.Create(temp);

        var error = Assert.Throws<DataSetException>(() => VocDataset.Load(root, "trainval", new VocOptions()));

        Assert.Contains("trainval.txt", error.Message);
        Assert.Contains("available splits: train, val", error.Message);
    }

    [Fact]
    public void Load_UnknownClassName_ThrowsNamingXmlFileImageAndAllowedClasses()
    {
        using var temp = new TempDirectory();
        string root = VocTestTree.Create(temp);
        VocTestTree.WriteXml(temp, "000002", VocTestTree.Object("cat", 0), VocTestTree.Object("dgo", 0));

        var error = Assert.Throws<DataSetException>(() => VocDataset.Load(root, "train", new VocOptions()));

        Assert.Contains("000002.xml", error.Message);
        Assert.Contains("image id 000002", error.Message);
        Assert.Contains("object 2", error.Message);
        Assert.Contains("'dgo'", error.Message);
        Assert.Contains("allowed: " + string.Join(", ", _vocClasses), error.Message);
    }

    [Fact]
    public void Load_InvalidXml_ThrowsNamingTheXmlFile()
    {
        using var temp = new TempDirectory();
        string root = VocTestTree.Create(temp);
        temp.Write("VOCdevkit/VOC2007/Annotations/000003.xml", "<annotation><object><name>dog</name></annotation>");

        var error = Assert.Throws<DataSetException>(() => VocDataset.Load(root, "train", new VocOptions()));

        Assert.Contains("000003.xml", error.Message);
        Assert.Contains("not valid XML", error.Message);
        Assert.Contains("image id 000003", error.Message);
    }

    [Fact]
    public void Load_MissingAnnotationFile_ThrowsNamingSplitLine()
    {
        using var temp = new TempDirectory();
        string root = VocTestTree.Create(temp);
        File.Delete(temp.Combine("VOCdevkit/VOC2007/Annotations/000003.xml"));

        var error = Assert.Throws<DataSetException>(() => VocDataset.Load(root, "train", new VocOptions()));

        Assert.Contains("train.txt", error.Message);
        Assert.Contains("line 4", error.Message);
        Assert.Contains("000003.xml", error.Message);
    }

    [Fact]
    public void LoadWithReport_SkipPolicy_DropsBadImagesAndCountsThem()
    {
        using var temp = new TempDirectory();
        string root = VocTestTree.Create(temp);
        VocTestTree.WriteXml(temp, "000001", VocTestTree.Object("unicorn", 0));
        temp.Write("VOCdevkit/VOC2007/Annotations/000003.xml", "not xml at all");

        var result = VocDataset.LoadWithReport(root, "train", new VocOptions { BadRecordPolicy = BadRecordPolicy.Skip });

        Assert.Equal(2, result.Report.SkippedRecords);
        Assert.Equal(2, result.Report.Examples.Count);
        Assert.Contains("unicorn", result.Report.Examples[0]);
        Assert.Contains("000003.xml", result.Report.Examples[1]);
        var sample = Assert.Single(result.Dataset.Samples);
        Assert.Equal([Label("cat")], sample.Labels);
    }

    [Fact]
    public void Load_VerifyImagesExist_NamesTheMissingImage()
    {
        using var temp = new TempDirectory();
        string root = VocTestTree.Create(temp);
        temp.Write("VOCdevkit/VOC2007/JPEGImages/000001.jpg", "x");
        temp.Write("VOCdevkit/VOC2007/JPEGImages/000003.jpg", "x");

        var error = Assert.Throws<DataSetException>(() => VocDataset.Load(root, "train", new VocOptions { VerifyImagesExist = true }));

        Assert.Contains(Path.Combine(root, "JPEGImages", "000002.jpg"), error.Message);
    }

    private static int Label(string name) => Array.IndexOf(_vocClasses, name);
}
