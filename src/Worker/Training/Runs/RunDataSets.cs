using Asl.Distributed.Configuration.Schema;
using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Training.Data;
using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Training.Runs;

/// <summary>Builds a run's training and validation sets from its <c>data</c> section.</summary>
public static class RunDataSets
{
    /// <summary>
    /// Reads (and for synthetic-shapes first generates, once) the two data sets; <paramref name="logger"/> receives
    /// what was generated and any records skipped under the skip policy.
    /// </summary>
    public static (MultiLabelDataset Train, MultiLabelDataset Validation) Load(DataConfig data, ILogger logger, CancellationToken cancellationToken = default)
    {
        var log = new RunLog(logger);
        var policy = data.BadRecords == BadRecordHandling.Skip ? BadRecordPolicy.Skip : BadRecordPolicy.Fail;
        (DataSetLoadResult Train, DataSetLoadResult Validation) loaded = data.Kind switch
        {
            DataKind.Coco => (
                CocoDataset.LoadWithReport(data.TrainAnnotations!, data.TrainImages!, Coco(data, policy, "train"), cancellationToken),
                CocoDataset.LoadWithReport(data.ValAnnotations!, data.ValImages!, Coco(data, policy, "val"), cancellationToken)),
            DataKind.Voc => (
                VocDataset.LoadWithReport(data.Root!, ConfigNames.ToName(data.TrainSplit), new VocOptions { IgnoreDifficult = data.IgnoreDifficult, BadRecordPolicy = policy }, cancellationToken),
                VocDataset.LoadWithReport(data.Root!, ConfigNames.ToName(data.ValSplit), new VocOptions { IgnoreDifficult = data.IgnoreDifficult, BadRecordPolicy = policy }, cancellationToken)),
            DataKind.List => (
                ListDataset.LoadWithReport(data.TrainAnnotations!, data.TrainImages!, new ListOptions { ClassListFile = data.ClassList, BadRecordPolicy = policy }, cancellationToken),
                ListDataset.LoadWithReport(data.ValAnnotations!, data.ValImages!, new ListOptions { ClassListFile = data.ClassList, BadRecordPolicy = policy }, cancellationToken)),
            DataKind.SyntheticShapes => Synthetic(data, log, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(data), data.Kind, "not a data kind"),
        };
        foreach (var (name, result) in new[] { ("train", loaded.Train), ("val", loaded.Validation) })
        {
            if (!result.Report.IsClean)
                log.AnnotationReport(name, result.Report.ToString());
        }
        if (!loaded.Train.Dataset.ClassNames.SequenceEqual(loaded.Validation.Dataset.ClassNames))
            throw new DataSetException(loaded.Validation.Dataset.Source, null,
                $"its class list differs from the training set's ({loaded.Train.Dataset.Source}); both must name the same classes in the same order");
        return (loaded.Train.Dataset, loaded.Validation.Dataset);
    }

    private static CocoOptions Coco(DataConfig data, BadRecordPolicy policy, string name) =>
        new() { IncludeImagesWithoutAnnotations = data.IncludeUnannotated, BadRecordPolicy = policy, Name = name };

    private static (DataSetLoadResult, DataSetLoadResult) Synthetic(DataConfig data, RunLog log, CancellationToken cancellationToken)
    {
        var s = data.Synthetic;
        string folder = Path.GetFullPath(data.Root ?? Path.Combine("data", $"synthetic-shapes-k{s.Classes}-n{s.TrainImages}-s{s.ImageSize}-m{s.MissingLabelFraction}-seed{s.Seed}"));
        string train = Path.Combine(folder, "annotations", "instances_train.json");
        string val = Path.Combine(folder, "annotations", "instances_val.json");
        // Several workers of a sweep may start on the same set at once: one generates, the others wait and read it.
        using (FolderLock.Acquire(folder, cancellationToken))
        {
            if (!File.Exists(train) || !File.Exists(val))
            {
                var report = SyntheticShapesDataset.Generate(folder, new SyntheticShapesOptions
                {
                    ClassCount = s.Classes,
                    TrainImages = s.TrainImages,
                    ValImages = s.ValImages,
                    ImageSize = s.ImageSize,
                    MissingLabelFraction = s.MissingLabelFraction,
                    Seed = s.Seed,
                }, cancellationToken);
                log.Generated(report.TrainImages, report.ValImages, folder, report.ImagesPerSecond);
            }
        }
        return (
            CocoDataset.LoadWithReport(train, Path.Combine(folder, "train"), new CocoOptions { Name = "synthetic-train" }, cancellationToken),
            CocoDataset.LoadWithReport(val, Path.Combine(folder, "val"), new CocoOptions { Name = "synthetic-val" }, cancellationToken));
    }
}
