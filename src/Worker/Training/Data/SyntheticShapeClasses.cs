using SkiaSharp;

namespace Asl.Distributed.Training.Data;

/// <summary>
/// The classes of the synthetic shapes set: class c is shape c mod 6 in colour (c mod 6 + c div 6) mod 6, so
/// from the seventh class on every shape comes in several colours and every colour in several shapes, and a
/// model has to see both to tell classes apart.
/// </summary>
internal static class SyntheticShapeClasses
{
    public const int ShapeCount = 6;

    private static readonly string[] _shapeNames = ["circle", "square", "triangle", "star", "cross", "ring"];

    private static readonly string[] _colourNames = ["red", "green", "blue", "yellow", "magenta", "cyan"];

    // Saturated colours, far from the grey backgrounds.
    private static readonly SKColor[] _colours =
    [
        new(220, 40, 40), new(40, 180, 60), new(40, 80, 225), new(235, 210, 40), new(205, 50, 205), new(40, 205, 215),
    ];

    public static int Shape(int classIndex) => classIndex % ShapeCount;

    public static SKColor Colour(int classIndex) => _colours[ColourIndex(classIndex)];

    public static string Name(int classIndex) => $"{_colourNames[ColourIndex(classIndex)]} {_shapeNames[Shape(classIndex)]}";

    public static string ShapeName(int classIndex) => _shapeNames[Shape(classIndex)];

    /// <summary>COCO-like category ids with gaps (1, 3, 5, …) so readers must map ids to labels.</summary>
    public static int CategoryId(int classIndex) => 2 * classIndex + 1;

    private static int ColourIndex(int classIndex) => (classIndex % ShapeCount + classIndex / ShapeCount) % _colours.Length;
}
