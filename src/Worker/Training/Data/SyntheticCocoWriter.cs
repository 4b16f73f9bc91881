using System.Text.Json;

namespace Asl.Distributed.Training.Data;

/// <summary>
/// Writes a synthetic split as a COCO instances file: images, one annotation per drawn object (box from the
/// object's extent, <c>iscrowd</c> 0) and the categories with ids 2c+1. Written with <see cref="Utf8JsonWriter"/>
/// in a fixed order, so the same plans give the same bytes.
/// </summary>
internal static class SyntheticCocoWriter
{
    /// <param name="path">The file to write.</param>
    /// <param name="description">Goes into the <c>info</c> block.</param>
    /// <param name="plans">The split's images.</param>
    /// <param name="classCount">K.</param>
    /// <param name="imageSize">Side of every image in pixels.</param>
    /// <param name="dropped">Per image, the classes whose annotations are left out; null keeps all.</param>
    public static void Write(string path, string description, IReadOnlyList<SyntheticImagePlan> plans, int classCount, int imageSize, IReadOnlyList<HashSet<int>?>? dropped)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        using var writer = new Utf8JsonWriter(stream);
        writer.WriteStartObject();
        writer.WriteStartObject("info");
        writer.WriteString("description", description);
        writer.WriteString("contributor", "Asl.Distributed SyntheticShapesDataset");
        writer.WriteEndObject();

        writer.WriteStartArray("images");
        foreach (var plan in plans)
        {
            writer.WriteStartObject();
            writer.WriteNumber("id", plan.Id);
            writer.WriteString("file_name", plan.FileName);
            writer.WriteNumber("width", imageSize);
            writer.WriteNumber("height", imageSize);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("annotations");
        int annotationId = 1;
        for (int i = 0; i < plans.Count; i++)
        {
            var plan = plans[i];
            var left = dropped?[i];
            foreach (var shape in plan.Shapes)
            {
                if (left is not null && left.Contains(shape.ClassIndex))
                    continue;
                WriteAnnotation(writer, annotationId++, plan.Id, shape, imageSize);
            }
        }

        writer.WriteEndArray();
        writer.WriteStartArray("categories");
        for (int c = 0; c < classCount; c++)
        {
            writer.WriteStartObject();
            writer.WriteNumber("id", SyntheticShapeClasses.CategoryId(c));
            writer.WriteString("name", SyntheticShapeClasses.Name(c));
            writer.WriteString("supercategory", SyntheticShapeClasses.ShapeName(c));
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteAnnotation(Utf8JsonWriter writer, int id, int imageId, SyntheticImagePlan.Shape shape, int imageSize)
    {
        double x0 = Math.Round(Math.Max(0, shape.X - shape.Radius), 2);
        double y0 = Math.Round(Math.Max(0, shape.Y - shape.Radius), 2);
        double x1 = Math.Round(Math.Min(imageSize, shape.X + shape.Radius), 2);
        double y1 = Math.Round(Math.Min(imageSize, shape.Y + shape.Radius), 2);
        writer.WriteStartObject();
        writer.WriteNumber("id", id);
        writer.WriteNumber("image_id", imageId);
        writer.WriteNumber("category_id", SyntheticShapeClasses.CategoryId(shape.ClassIndex));
        writer.WriteStartArray("bbox");
        writer.WriteNumberValue(x0);
        writer.WriteNumberValue(y0);
        writer.WriteNumberValue(Math.Round(x1 - x0, 2));
        writer.WriteNumberValue(Math.Round(y1 - y0, 2));
        writer.WriteEndArray();
        writer.WriteNumber("area", Math.Round((x1 - x0) * (y1 - y0), 2));
        writer.WriteNumber("iscrowd", 0);
        writer.WriteEndObject();
    }
}
