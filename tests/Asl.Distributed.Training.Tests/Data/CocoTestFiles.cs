namespace Asl.Distributed.Training.Tests.Data;

/// <summary>Hand-written COCO instances files for the reader tests.</summary>
internal static class CocoTestFiles
{
    /// <summary>
    /// Four images (id 9 without annotations), category ids with gaps listed out of id order, a crowd annotation
    /// with RLE segmentation, a repeated class in one image, and sections the reader must skip.
    /// </summary>
    public const string Instances = """
        {
          "info": {"description": "test", "nested": {"a": [1, 2, {"b": null, "c": [[], {}]}]}, "year": 2014},
          "images": [
            {"license": 3, "id": 42, "file_name": "a.jpg", "width": 10, "height": 10},
            {"id": 7, "file_name": "b.jpg", "coco_url": "http://example/b.jpg"},
            {"id": 9, "file_name": "c.jpg"},
            {"id": 100, "file_name": "sub/d.jpg"}
          ],
          "licenses": [{"id": 3, "name": "x"}],
          "annotations": [
            {"segmentation": [[1.5, 2.0, 3.25, 4.0]], "area": 1.0, "iscrowd": 0, "image_id": 42, "bbox": [0, 0, 1, 1], "category_id": 18, "id": 1},
            {"id": 2, "image_id": 42, "category_id": 1, "iscrowd": 0},
            {"id": 3, "image_id": 7, "category_id": 90, "segmentation": {"counts": [1, 2, 3], "size": [10, 10]}, "iscrowd": 1},
            {"id": 4, "image_id": 42, "category_id": 18, "iscrowd": 0},
            {"id": 5, "image_id": 100, "category_id": 3, "iscrowd": 0}
          ],
          "categories": [
            {"supercategory": "animal", "id": 18, "name": "dog"},
            {"supercategory": "person", "id": 1, "name": "person"},
            {"supercategory": "indoor", "id": 90, "name": "toothbrush"},
            {"supercategory": "vehicle", "id": 3, "name": "car"}
          ]
        }
        """;

    /// <summary><see cref="Instances"/> with one annotation replaced.</summary>
    public static string WithAnnotation5(string replacement) =>
        Instances.Replace("""{"id": 5, "image_id": 100, "category_id": 3, "iscrowd": 0}""", replacement, StringComparison.Ordinal);
}
