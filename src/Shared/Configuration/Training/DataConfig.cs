namespace Asl.Distributed.Configuration.Training;

/// <summary>Which data set to train and validate on (config section <c>data</c>).</summary>
public sealed class DataConfig
{
    /// <summary>Allowed values of <see cref="Kind"/>.</summary>
    public static readonly IReadOnlyList<string> Kinds = ["synthetic-shapes", "coco", "voc", "list"];

    /// <summary>Allowed values of <see cref="BadRecords"/>.</summary>
    public static readonly IReadOnlyList<string> BadRecordPolicies = ["fail", "skip"];

    /// <summary>synthetic-shapes (generated on first use), coco, voc or list.</summary>
    public string Kind { get; set; } = "synthetic-shapes";

    /// <summary>coco and list: the training annotation file (instances_train2014.json, a .csv or .jsonl).</summary>
    public string? TrainAnnotations { get; set; }

    /// <summary>coco and list: the folder the training image paths are relative to.</summary>
    public string? TrainImages { get; set; }

    /// <summary>coco and list: the validation annotation file.</summary>
    public string? ValAnnotations { get; set; }

    /// <summary>coco and list: the folder the validation image paths are relative to.</summary>
    public string? ValImages { get; set; }

    /// <summary>voc: the VOC2007 folder (with Annotations/, ImageSets/, JPEGImages/); synthetic-shapes: where to generate.</summary>
    public string? Root { get; set; }

    /// <summary>voc: the training split (train, val, trainval).</summary>
    public string TrainSplit { get; set; } = "trainval";

    /// <summary>voc: the validation split.</summary>
    public string ValSplit { get; set; } = "test";

    /// <summary>list: a file with one class name per line (else classes are collected from the data).</summary>
    public string? ClassList { get; set; }

    /// <summary>coco: also keep images without any annotation (the official script drops them).</summary>
    public bool IncludeUnannotated { get; set; }

    /// <summary>voc: treat objects marked difficult as absent (by default they count as positive).</summary>
    public bool IgnoreDifficult { get; set; }

    /// <summary>fail (default): a bad record or image stops the run naming it; skip: it is counted and reported.</summary>
    public string BadRecords { get; set; } = "fail";

    /// <summary>synthetic-shapes: the generator's settings.</summary>
    public SyntheticShapesConfig Synthetic { get; set; } = new();

    internal void Validate(string prefix)
    {
        string kind = ConfigChecks.OneOf(Kind, Kinds, $"{prefix}.kind");
        ConfigChecks.OneOf(BadRecords, BadRecordPolicies, $"{prefix}.bad_records");
        switch (kind)
        {
            case "coco" or "list":
                ConfigChecks.Required(TrainAnnotations, $"{prefix}.train_annotations", $"when {prefix}.kind is {kind}");
                ConfigChecks.Required(TrainImages, $"{prefix}.train_images", $"when {prefix}.kind is {kind}");
                ConfigChecks.Required(ValAnnotations, $"{prefix}.val_annotations", $"when {prefix}.kind is {kind}");
                ConfigChecks.Required(ValImages, $"{prefix}.val_images", $"when {prefix}.kind is {kind}");
                break;
            case "voc":
                ConfigChecks.Required(Root, $"{prefix}.root", "when data.kind is voc (the VOC2007 folder)");
                ConfigChecks.OneOf(TrainSplit, ["train", "val", "trainval", "test"], $"{prefix}.train_split");
                ConfigChecks.OneOf(ValSplit, ["train", "val", "trainval", "test"], $"{prefix}.val_split");
                break;
            default:
                Synthetic.Validate($"{prefix}.synthetic");
                break;
        }
    }
}
