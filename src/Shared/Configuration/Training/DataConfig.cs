using Asl.Distributed.Configuration.Schema;

namespace Asl.Distributed.Configuration.Training;

/// <summary>Which data set to train and validate on (config section <c>data</c>).</summary>
public sealed class DataConfig
{
    [Setting("Data set reader: the generated shapes set, COCO instances json, a VOC2007 folder or a CSV/JSON-lines list.")]
    public DataKind Kind { get; set; } = DataKind.SyntheticShapes;

    [Setting("coco, list: the training annotation file (instances_train2014.json, a .csv or .jsonl).")]
    public string? TrainAnnotations { get; set; }

    [Setting("coco, list: the folder the training image paths are relative to.")]
    public string? TrainImages { get; set; }

    [Setting("coco, list: the validation annotation file.")]
    public string? ValAnnotations { get; set; }

    [Setting("coco, list: the folder the validation image paths are relative to.")]
    public string? ValImages { get; set; }

    [Setting("voc: the VOC2007 folder (Annotations/, ImageSets/, JPEGImages/); synthetic-shapes: where to generate (default under data/).")]
    public string? Root { get; set; }

    [Setting("voc: the training image set.")]
    public VocSplit TrainSplit { get; set; } = VocSplit.TrainVal;

    [Setting("voc: the validation image set.")]
    public VocSplit ValSplit { get; set; } = VocSplit.Test;

    [Setting("list: a file with one class name per line (else classes are collected from the data).")]
    public string? ClassList { get; set; }

    [Setting("coco: also keep images without any annotation (the official script drops them).")]
    public bool IncludeUnannotated { get; set; }

    [Setting("voc: treat objects marked difficult as absent (by default they count as positive).")]
    public bool IgnoreDifficult { get; set; }

    [Setting("fail: a bad record or unreadable image stops the run naming it; skip: it is counted and reported.")]
    public BadRecordHandling BadRecords { get; set; } = BadRecordHandling.Fail;

    public SyntheticShapesConfig Synthetic { get; set; } = new();

    internal void Validate(List<ConfigProblem> problems)
    {
        switch (Kind)
        {
            case DataKind.Coco or DataKind.List:
                string when = $"when data.kind is {ConfigNames.ToName(Kind)}";
                ConfigChecks.Required(problems, TrainAnnotations, "data.train_annotations", when);
                ConfigChecks.Required(problems, TrainImages, "data.train_images", when);
                ConfigChecks.Required(problems, ValAnnotations, "data.val_annotations", when);
                ConfigChecks.Required(problems, ValImages, "data.val_images", when);
                break;
            case DataKind.Voc:
                ConfigChecks.Required(problems, Root, "data.root", "when data.kind is voc (the VOC2007 folder)");
                break;
        }
    }
}
