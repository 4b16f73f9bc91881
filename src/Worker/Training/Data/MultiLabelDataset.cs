namespace Asl.Distributed.Training.Data;

/// <summary>
/// An indexed multi-label data set: the class names in index order and the samples. Readers (COCO, VOC, list
/// files) build it from annotations; decoding images is the loader's job, so an index is cheap to hold and to
/// shard.
/// </summary>
/// <param name="Name">A short name for logs and records (for example "coco2014-train").</param>
/// <param name="ClassNames">Class names; index i is label i.</param>
/// <param name="Samples">The samples in annotation order.</param>
/// <param name="Source">The annotation file or folder the index was read from.</param>
public sealed record MultiLabelDataset(string Name, IReadOnlyList<string> ClassNames, IReadOnlyList<MultiLabelSample> Samples, string Source)
{
    /// <summary>K, the number of classes.</summary>
    public int ClassCount => ClassNames.Count;

    /// <summary>The multi-hot target row of sample <paramref name="index"/> (length K, values 0 or 1).</summary>
    public void WriteTargets(int index, Span<float> row)
    {
        row.Clear();
        foreach (int label in Samples[index].Labels)
            row[label] = 1;
    }
}
