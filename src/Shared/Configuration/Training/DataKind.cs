using Asl.Distributed.Configuration.Schema;

namespace Asl.Distributed.Configuration.Training;

/// <summary>Which reader a run's data comes through (config <c>data.kind</c>).</summary>
public enum DataKind
{
    /// <summary>The generated long-tailed shapes set (written on first use).</summary>
    [ConfigName("synthetic-shapes")] SyntheticShapes,
    /// <summary>COCO instances json and an image folder.</summary>
    [ConfigName("coco")] Coco,
    /// <summary>A VOC2007 folder.</summary>
    [ConfigName("voc")] Voc,
    /// <summary>A CSV or JSON-lines list of images and labels.</summary>
    [ConfigName("list")] List,
}
