namespace Asl.Distributed.Training.Data;

/// <summary>
/// Reads a plain list of images and label names, the form NUS-WIDE and Open Images style sets (thousands of
/// classes) are usually converted to: CSV (<c>image,labels</c> with a header row, labels separated by <c>;</c> or
/// <c>|</c>) or JSON lines (<c>{"image": "...", "labels": ["a", "b"]}</c>). Classes come from
/// <see cref="ListOptions.ClassListFile"/> or <see cref="ListOptions.ClassNames"/>, or are collected from the data
/// in order of first appearance. Blank lines are ignored; an image with no labels is kept as an all-negative
/// sample.
/// </summary>
public static class ListDataset
{
    /// <summary>Reads the list; under <see cref="BadRecordPolicy.Skip"/> the skipped records are lost, use <see cref="LoadWithReport"/> to see them.</summary>
    /// <param name="path">The CSV or JSON-lines file.</param>
    /// <param name="imageFolder">The folder image names are relative to.</param>
    /// <param name="options">Reader settings.</param>
    /// <param name="cancellationToken">Stops a long read.</param>
    public static MultiLabelDataset Load(string path, string imageFolder, ListOptions options, CancellationToken cancellationToken = default) =>
        LoadWithReport(path, imageFolder, options, cancellationToken).Dataset;

    /// <summary>Reads the list and reports the records skipped under <see cref="BadRecordPolicy.Skip"/>.</summary>
    /// <param name="path">The CSV or JSON-lines file.</param>
    /// <param name="imageFolder">The folder image names are relative to.</param>
    /// <param name="options">Reader settings.</param>
    /// <param name="cancellationToken">Stops a long read.</param>
    public static DataSetLoadResult LoadWithReport(string path, string imageFolder, ListOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(imageFolder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        path = Path.GetFullPath(path);
        var format = ResolveFormat(path, options.Format);
        if (!File.Exists(path))
            throw new DataSetException(path, null, "the list file does not exist");
        var classes = options.ClassListFile is not null ? ListClassTable.FromFile(options.ClassListFile)
            : options.ClassNames is not null ? ListClassTable.FromNames(options.ClassNames)
            : ListClassTable.Collecting();

        var log = options.CreateLog(path);
        string folder = Path.GetFullPath(imageFolder);
        var samples = new List<MultiLabelSample>();
        var names = new List<string>(8);
        var labels = new List<int>(8);
        IListRecordParser? parser = format == ListFormat.JsonLines ? new JsonLinesRecordParser() : null;
        using var reader = new StreamReader(path, System.Text.Encoding.UTF8, true, new FileStreamOptions { BufferSize = 1 << 16, Options = FileOptions.SequentialScan });
        int lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if ((lineNumber & 0xFFF) == 0)
                cancellationToken.ThrowIfCancellationRequested();
            if (string.IsNullOrWhiteSpace(line))
                continue;
            if (parser is null)
            {
                parser = CsvRecordParser.FromHeader(line, path, lineNumber);
                continue;
            }

            string record = $"line {lineNumber}";
            names.Clear();
            string? problem = parser.Parse(line, out string image, names);
            if (problem is not null)
            {
                log.Add(record, $"the record {problem}");
                continue;
            }

            if (!Resolve(names, classes, labels, out string? unknown))
            {
                log.Add($"{record} (image '{image}')", $"label '{unknown}' is not in the class list; {classes.DescribeAllowed()}");
                continue;
            }

            string imagePath = Path.GetFullPath(Path.Combine(folder, image));
            if (log.CheckImage(options, imagePath, record))
                samples.Add(new MultiLabelSample(imagePath, LabelLists.SortedDistinct(labels), record));
        }

        if (parser is null)
            throw new DataSetException(path, null, "the CSV file is empty: it needs a header row naming the columns 'image' and 'labels'");
        var dataset = new MultiLabelDataset(options.Name ?? Path.GetFileNameWithoutExtension(path), classes.Names.ToArray(), samples, path);
        return new DataSetLoadResult(dataset, log.ToReport());
    }

    private static bool Resolve(List<string> names, ListClassTable classes, List<int> labels, out string? unknown)
    {
        labels.Clear();
        unknown = null;
        foreach (string name in names)
        {
            if (!classes.TryGetLabel(name, out int label))
            {
                unknown = name;
                return false;
            }

            labels.Add(label);
        }

        return true;
    }

    private static ListFormat ResolveFormat(string path, ListFormat format)
    {
        if (format != ListFormat.Auto)
            return format;
        string extension = Path.GetExtension(path).ToLowerInvariant();
        return extension switch
        {
            ".csv" => ListFormat.Csv,
            ".jsonl" or ".ndjson" or ".json" => ListFormat.JsonLines,
            _ => throw new DataSetException(path, null, $"cannot tell the list format from the extension '{extension}'; allowed: .csv, .jsonl, .ndjson, .json, or set ListOptions.Format"),
        };
    }
}
