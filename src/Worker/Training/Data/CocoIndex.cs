namespace Asl.Distributed.Training.Data;

/// <summary>
/// The parts of a COCO instances file that a classifier needs, as read and before ids are resolved: images,
/// the (image, category) pair of each annotation, and the categories in file order.
/// </summary>
internal sealed class CocoIndex
{
    public List<Image> Images { get; } = [];

    public List<Annotation> Annotations { get; } = [];

    public List<Category> Categories { get; } = [];

    public bool HasImages { get; set; }

    public bool HasCategories { get; set; }

    /// <summary>An entry of <c>images</c>.</summary>
    public readonly record struct Image(long Id, string FileName);

    /// <summary>An entry of <c>annotations</c>; <paramref name="Id"/> is null when the file gives none.</summary>
    public readonly record struct Annotation(long? Id, long ImageId, long CategoryId, int Position);

    /// <summary>An entry of <c>categories</c>.</summary>
    public readonly record struct Category(long Id, string Name);
}
