using SkiaSharp;

namespace Asl.Distributed.Training.Data;

/// <summary>
/// Everything random about one synthetic image, drawn up front from the image's own generator so that rendering
/// can run on any thread in any order and still give the same bytes.
/// </summary>
internal sealed class SyntheticImagePlan
{
    private const int DistractorCount = 3;

    private SyntheticImagePlan(int id, Shape[] shapes, SKColor from, SKColor to, float gradientAngle, Distractor[] distractors, ulong noiseSeed)
    {
        Id = id;
        Shapes = shapes;
        BackgroundFrom = from;
        BackgroundTo = to;
        GradientAngle = gradientAngle;
        Distractors = distractors;
        NoiseSeed = noiseSeed;
    }

    /// <summary>The COCO image id (1-based position in its split).</summary>
    public int Id { get; }

    public string FileName => $"{Id:D6}.jpg";

    public Shape[] Shapes { get; }

    public SKColor BackgroundFrom { get; }

    public SKColor BackgroundTo { get; }

    public float GradientAngle { get; }

    public Distractor[] Distractors { get; }

    public ulong NoiseSeed { get; }

    /// <summary>Plans image <paramref name="index"/> of a split.</summary>
    /// <param name="options">Generation settings.</param>
    /// <param name="cumulativeWeights">Cumulative class weights 1/(c+1)^a, normalised to end at 1.</param>
    /// <param name="split">0 for train, 1 for val: separate random streams.</param>
    /// <param name="index">Position in the split.</param>
    public static SyntheticImagePlan Create(SyntheticShapesOptions options, double[] cumulativeWeights, int split, int index)
    {
        var random = SplitMix64.For(options.Seed, split, index);
        float size = options.ImageSize;
        int count = random.NextInt(options.MinObjects, options.MaxObjects + 1);
        var shapes = new Shape[count];
        for (int i = 0; i < count; i++)
        {
            int classIndex = DrawClass(cumulativeWeights, random.NextDouble());
            float radius = size * (float)random.NextDouble(0.12, 0.24);
            float x = (float)random.NextDouble(radius, size - radius);
            float y = (float)random.NextDouble(radius, size - radius);
            var colour = Jitter(SyntheticShapeClasses.Colour(classIndex), ref random, 18);
            shapes[i] = new Shape(classIndex, x, y, radius, (float)random.NextDouble(0, 360), colour);
        }

        byte grey = (byte)random.NextInt(70, 171);
        var from = Jitter(new SKColor(grey, grey, grey), ref random, 25);
        var to = Jitter(from, ref random, 45);
        float angle = (float)random.NextDouble(0, 360);
        var distractors = new Distractor[DistractorCount];
        for (int i = 0; i < distractors.Length; i++)
        {
            byte level = (byte)random.NextInt(40, 216);
            distractors[i] = new Distractor(
                (float)random.NextDouble(0, size), (float)random.NextDouble(0, size),
                size * (float)random.NextDouble(0.05, 0.3), size * (float)random.NextDouble(0.05, 0.3),
                new SKColor(level, level, level, 70));
        }

        return new SyntheticImagePlan(index + 1, shapes, from, to, angle, distractors, random.NextUInt64());
    }

    /// <summary>The distinct classes drawn, ascending.</summary>
    public int[] Labels() => Shapes.Select(s => s.ClassIndex).Distinct().Order().ToArray();

    private static int DrawClass(double[] cumulativeWeights, double u)
    {
        int found = Array.BinarySearch(cumulativeWeights, u);
        int index = found >= 0 ? found + 1 : ~found;
        return Math.Min(index, cumulativeWeights.Length - 1);
    }

    private static SKColor Jitter(SKColor colour, ref SplitMix64 random, int amount) => new(
        Clamp(colour.Red + random.NextInt(-amount, amount + 1)),
        Clamp(colour.Green + random.NextInt(-amount, amount + 1)),
        Clamp(colour.Blue + random.NextInt(-amount, amount + 1)));

    private static byte Clamp(int value) => (byte)Math.Clamp(value, 0, 255);

    /// <summary>One drawn object of class <paramref name="ClassIndex"/>, centred at (X, Y).</summary>
    public readonly record struct Shape(int ClassIndex, float X, float Y, float Radius, float Angle, SKColor Colour);

    /// <summary>A translucent grey ellipse that belongs to no class, so backgrounds are not plain.</summary>
    public readonly record struct Distractor(float X, float Y, float RadiusX, float RadiusY, SKColor Colour);
}
