using System.Xml;
using System.Xml.Linq;

namespace Asl.Distributed.Training.Data;

/// <summary>
/// Reads a PASCAL VOC year folder (<c>VOCdevkit/VOC2007</c>): the image ids of <c>ImageSets/Main/{split}.txt</c>
/// and, for each, the object names of <c>Annotations/{id}.xml</c> as labels over the 20 VOC classes in their
/// standard alphabetical order. Every listed image is kept, in list order, even one left without labels when
/// <see cref="VocOptions.IgnoreDifficult"/> removes its only objects.
/// </summary>
public static class VocDataset
{
    /// <summary>The 20 VOC classes; label i is <c>ClassNames[i]</c>.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
    [
        "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
        "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor",
    ];

    private static readonly Dictionary<string, int> _classIndex =
        ClassNames.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);

    /// <summary>Reads one split; under <see cref="BadRecordPolicy.Skip"/> the skipped records are lost, use <see cref="LoadWithReport"/> to see them.</summary>
    /// <param name="vocRoot">The year folder, holding <c>Annotations</c>, <c>ImageSets</c> and <c>JPEGImages</c>.</param>
    /// <param name="split">The image set: train, val, trainval or test (any <c>ImageSets/Main/{split}.txt</c>).</param>
    /// <param name="options">Reader settings.</param>
    /// <param name="cancellationToken">Stops a long read.</param>
    public static MultiLabelDataset Load(string vocRoot, string split, VocOptions options, CancellationToken cancellationToken = default) =>
        LoadWithReport(vocRoot, split, options, cancellationToken).Dataset;

    /// <summary>Reads one split and reports the records skipped under <see cref="BadRecordPolicy.Skip"/>.</summary>
    /// <param name="vocRoot">The year folder, holding <c>Annotations</c>, <c>ImageSets</c> and <c>JPEGImages</c>.</param>
    /// <param name="split">The image set: train, val, trainval or test (any <c>ImageSets/Main/{split}.txt</c>).</param>
    /// <param name="options">Reader settings.</param>
    /// <param name="cancellationToken">Stops a long read.</param>
    public static DataSetLoadResult LoadWithReport(string vocRoot, string split, VocOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(vocRoot);
        ArgumentException.ThrowIfNullOrEmpty(split);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        vocRoot = Path.GetFullPath(vocRoot);
        string setsFolder = Path.Combine(vocRoot, "ImageSets", "Main");
        string splitFile = Path.Combine(setsFolder, split + ".txt");
        if (!File.Exists(splitFile))
            throw new DataSetException(splitFile, null, $"split '{split}' has no image list; available splits: {DescribeSplits(setsFolder)}");

        var log = options.CreateLog(splitFile);
        var samples = new List<MultiLabelSample>();
        var labels = new List<int>(8);
        int lineNumber = 0;
        foreach (string line in File.ReadLines(splitFile))
        {
            lineNumber++;
            cancellationToken.ThrowIfCancellationRequested();
            string id = line.Trim();
            if (id.Length == 0)
                continue;
            int space = id.IndexOfAny([' ', '\t']);
            if (space > 0)
                id = id[..space];

            string xmlFile = Path.Combine(vocRoot, "Annotations", id + ".xml");
            string record = $"image id {id}";
            labels.Clear();
            if (!File.Exists(xmlFile))
            {
                log.Add($"line {lineNumber} ({record})", $"the annotation file '{xmlFile}' does not exist");
                continue;
            }

            if (!ReadObjects(xmlFile, record, options, labels, log))
                continue;
            string imagePath = Path.Combine(vocRoot, "JPEGImages", id + options.ImageExtension);
            if (log.CheckImage(options, imagePath, record))
                samples.Add(new MultiLabelSample(imagePath, LabelLists.SortedDistinct(labels), $"{record} (Annotations/{id}.xml)"));
        }

        string name = options.Name ?? $"{Path.GetFileName(vocRoot)}-{split}";
        return new DataSetLoadResult(new MultiLabelDataset(name, ClassNames, samples, splitFile), log.ToReport());
    }

    private static bool ReadObjects(string xmlFile, string record, VocOptions options, List<int> labels, BadRecordLog log)
    {
        XDocument document;
        try
        {
            document = XDocument.Load(xmlFile);
        }
        catch (XmlException error)
        {
            log.Add(xmlFile, record, $"the file is not valid XML (line {error.LineNumber}, position {error.LinePosition}): {error.Message}");
            return false;
        }

        if (document.Root?.Name.LocalName != "annotation")
        {
            log.Add(xmlFile, record, $"the root element is <{document.Root?.Name.LocalName}>, not <annotation>");
            return false;
        }

        int position = 0;
        foreach (var element in document.Root.Elements("object"))
        {
            position++;
            string objectName = element.Element("name")?.Value.Trim() ?? "";
            if (!_classIndex.TryGetValue(objectName, out int label))
            {
                log.Add(xmlFile, $"{record}, object {position}", $"class '{objectName}' is not a VOC class; allowed: {string.Join(", ", ClassNames)}");
                return false;
            }

            string difficult = element.Element("difficult")?.Value.Trim() ?? "0";
            if (difficult is not ("0" or "1"))
            {
                log.Add(xmlFile, $"{record}, object {position}", $"<difficult> is '{difficult}'; allowed: 0, 1");
                return false;
            }

            if (difficult == "0" || !options.IgnoreDifficult)
                labels.Add(label);
        }

        return true;
    }

    private static string DescribeSplits(string setsFolder)
    {
        if (!Directory.Exists(setsFolder))
            return $"none (the folder '{setsFolder}' does not exist)";
        var splits = Directory.EnumerateFiles(setsFolder, "*.txt")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(name => name is not null && !name.Contains('_', StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToArray();
        return splits.Length == 0 ? "none" : string.Join(", ", splits);
    }
}
