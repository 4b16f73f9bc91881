namespace Asl.Distributed.Training.Data;

/// <summary>What <see cref="SyntheticShapesDataset.Generate"/> wrote and how fast.</summary>
/// <param name="OutputFolder">The folder holding <c>train/</c>, <c>val/</c> and <c>annotations/</c>.</param>
/// <param name="ClassNames">The class names, label i first (also the order of the annotation files' categories).</param>
/// <param name="TrainImages">Images written under <c>train/</c>.</param>
/// <param name="ValImages">Images written under <c>val/</c>.</param>
/// <param name="TrainPositiveLabels">Positive (image, class) pairs of the training images before any were left out.</param>
/// <param name="MissingLabels">Positive pairs left out of <c>instances_train.json</c>.</param>
/// <param name="Elapsed">Wall time of the whole generation.</param>
public sealed record SyntheticShapesReport(
    string OutputFolder,
    IReadOnlyList<string> ClassNames,
    int TrainImages,
    int ValImages,
    int TrainPositiveLabels,
    int MissingLabels,
    TimeSpan Elapsed)
{
    /// <summary>The training annotations, with labels left out.</summary>
    public string TrainAnnotationFile => Path.Combine(OutputFolder, "annotations", "instances_train.json");

    /// <summary>The training annotations with every label, to measure what the left-out labels cost.</summary>
    public string CompleteTrainAnnotationFile => Path.Combine(OutputFolder, "annotations", "instances_train_complete.json");

    /// <summary>The validation annotations (always complete).</summary>
    public string ValAnnotationFile => Path.Combine(OutputFolder, "annotations", "instances_val.json");

    /// <summary>The folder the training annotations' file names are relative to.</summary>
    public string TrainImageFolder => Path.Combine(OutputFolder, "train");

    /// <summary>The folder the validation annotations' file names are relative to.</summary>
    public string ValImageFolder => Path.Combine(OutputFolder, "val");

    /// <summary>The fraction of training positives actually left out.</summary>
    public double MissingLabelFraction => TrainPositiveLabels == 0 ? 0 : (double)MissingLabels / TrainPositiveLabels;

    /// <summary>Images written per second of wall time.</summary>
    public double ImagesPerSecond => Elapsed <= TimeSpan.Zero ? 0 : (TrainImages + ValImages) / Elapsed.TotalSeconds;
}
