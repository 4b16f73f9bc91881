namespace Asl.Distributed.Training.Data;

/// <summary>
/// Reads a COCO instances file (for example <c>instances_train2014.json</c>) into a multi-label index with the
/// official ASL semantics: an image's labels are the categories of all its annotations, crowd annotations
/// included; only images with at least one annotation are kept unless
/// <see cref="CocoOptions.IncludeImagesWithoutAnnotations"/> is set; category ids (1…90 with gaps in COCO) map to
/// 0…K−1 in the order of the file's <c>categories</c> array, whose names become the class names. Samples follow
/// the order of the file's <c>images</c> array.
/// </summary>
public static class CocoDataset
{
    /// <summary>Reads the annotation file; under <see cref="BadRecordPolicy.Skip"/> the skipped records are lost, use <see cref="LoadWithReport"/> to see them.</summary>
    /// <param name="annotationFile">The COCO instances JSON file.</param>
    /// <param name="imageFolder">The folder the images' <c>file_name</c> entries are relative to.</param>
    /// <param name="options">Reader settings.</param>
    /// <param name="cancellationToken">Stops a long read.</param>
    public static MultiLabelDataset Load(string annotationFile, string imageFolder, CocoOptions options, CancellationToken cancellationToken = default) =>
        LoadWithReport(annotationFile, imageFolder, options, cancellationToken).Dataset;

    /// <summary>Reads the annotation file and reports the records skipped under <see cref="BadRecordPolicy.Skip"/>.</summary>
    /// <param name="annotationFile">The COCO instances JSON file.</param>
    /// <param name="imageFolder">The folder the images' <c>file_name</c> entries are relative to.</param>
    /// <param name="options">Reader settings.</param>
    /// <param name="cancellationToken">Stops a long read.</param>
    public static DataSetLoadResult LoadWithReport(string annotationFile, string imageFolder, CocoOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(annotationFile);
        ArgumentException.ThrowIfNullOrEmpty(imageFolder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        annotationFile = Path.GetFullPath(annotationFile);
        if (!File.Exists(annotationFile))
            throw new DataSetException(annotationFile, null, "the annotation file does not exist");

        var log = options.CreateLog(annotationFile);
        CocoIndex index;
        using (var stream = new FileStream(annotationFile, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
            index = CocoIndexReader.Read(stream, annotationFile, log, cancellationToken);
        if (!index.HasImages)
            throw new DataSetException(annotationFile, null, "the file has no 'images' array");
        if (!index.HasCategories)
            throw new DataSetException(annotationFile, null, "the file has no 'categories' array");

        var (classNames, classOf) = MapCategories(index, log);
        var (imageOf, kept) = MapImages(index, log);
        var labels = CollectLabels(index, classOf, imageOf, log);

        string folder = Path.GetFullPath(imageFolder);
        var samples = new List<MultiLabelSample>(index.Images.Count);
        for (int i = 0; i < index.Images.Count; i++)
        {
            if (!kept[i] || (labels[i] is null && !options.IncludeImagesWithoutAnnotations))
                continue;
            var image = index.Images[i];
            string record = $"image id {image.Id}";
            string path = Path.GetFullPath(Path.Combine(folder, image.FileName));
            if (log.CheckImage(options, path, record))
                samples.Add(new MultiLabelSample(path, LabelLists.SortedDistinct(labels[i]), record));
        }

        var dataset = new MultiLabelDataset(options.Name ?? Path.GetFileNameWithoutExtension(annotationFile), classNames, samples, annotationFile);
        return new DataSetLoadResult(dataset, log.ToReport());
    }

    private static (string[] Names, Dictionary<long, int> ClassOf) MapCategories(CocoIndex index, BadRecordLog log)
    {
        var classOf = new Dictionary<long, int>(index.Categories.Count);
        var names = new List<string>(index.Categories.Count);
        foreach (var category in index.Categories)
        {
            if (!classOf.TryAdd(category.Id, names.Count))
            {
                log.Add($"category id {category.Id}", $"the id appears twice in 'categories' ('{names[classOf[category.Id]]}' and '{category.Name}')");
                continue;
            }

            names.Add(category.Name);
        }

        return (names.ToArray(), classOf);
    }

    private static (Dictionary<long, int> ImageOf, bool[] Kept) MapImages(CocoIndex index, BadRecordLog log)
    {
        var imageOf = new Dictionary<long, int>(index.Images.Count);
        var kept = new bool[index.Images.Count];
        for (int i = 0; i < index.Images.Count; i++)
        {
            long id = index.Images[i].Id;
            kept[i] = imageOf.TryAdd(id, i);
            if (!kept[i])
                log.Add($"image id {id}", $"the id appears twice in 'images' ('{index.Images[imageOf[id]].FileName}' and '{index.Images[i].FileName}')");
        }

        return (imageOf, kept);
    }

    private static List<int>?[] CollectLabels(
        CocoIndex index, Dictionary<long, int> classOf, Dictionary<long, int> imageOf, BadRecordLog log)
    {
        var labels = new List<int>?[index.Images.Count];
        string? allowed = null;
        foreach (var annotation in index.Annotations)
        {
            string record = $"{CocoIndexReader.AnnotationName(annotation.Id)} (annotations[{annotation.Position}], image id {annotation.ImageId})";
            if (!imageOf.TryGetValue(annotation.ImageId, out int image))
            {
                log.Add(record, $"image id {annotation.ImageId} is not in 'images'");
                continue;
            }

            if (!classOf.TryGetValue(annotation.CategoryId, out int label))
            {
                allowed ??= DescribeAllowed(index);
                log.Add(record, $"category id {annotation.CategoryId} is not in 'categories'; allowed ids: {allowed}");
                continue;
            }

            (labels[image] ??= new List<int>(4)).Add(label);
        }

        return labels;
    }

    private static string DescribeAllowed(CocoIndex index) =>
        LabelLists.DescribeAllowed(index.Categories.Select(c => c.Id).Distinct().Order().Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
