namespace Asl.Distributed.Training.Data;

/// <summary>
/// Generates a multi-label data set of coloured shapes on noisy backgrounds, written in COCO layout
/// (<c>train/</c>, <c>val/</c>, <c>annotations/instances_{train,val}.json</c>) so that training runs end to end
/// through <see cref="CocoDataset"/> without downloading anything. Class frequencies are long-tailed, category
/// ids have gaps like COCO's, and a set fraction of training labels can be left out to imitate the missing
/// labels ASL is meant to tolerate (<c>instances_train_complete.json</c> keeps them all for comparison).
/// </summary>
public static class SyntheticShapesDataset
{
    private const int TrainSplit = 0;
    private const int ValSplit = 1;
    private const long DropStream = 2;

    /// <summary>Writes the data set; existing files of the same names are overwritten.</summary>
    /// <param name="outputFolder">Where <c>train/</c>, <c>val/</c> and <c>annotations/</c> go (created if missing).</param>
    /// <param name="options">Generation settings; see <see cref="SyntheticShapesOptions"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops the generation between images.</param>
    public static SyntheticShapesReport Generate(string outputFolder, SyntheticShapesOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputFolder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        long started = TimeProvider.System.GetTimestamp();
        outputFolder = Path.GetFullPath(outputFolder);
        string annotations = Directory.CreateDirectory(Path.Combine(outputFolder, "annotations")).FullName;

        double[] cumulative = CumulativeWeights(options.ClassCount, options.TailExponent);
        var train = Plan(options, cumulative, TrainSplit, options.TrainImages);
        var val = Plan(options, cumulative, ValSplit, options.ValImages);
        var (dropped, positives, missing) = ChooseMissingLabels(train, options);

        Render(Path.Combine(outputFolder, "train"), train, options, cancellationToken);
        Render(Path.Combine(outputFolder, "val"), val, options, cancellationToken);

        string settings = $"seed {options.Seed}, {options.ClassCount} classes, tail exponent {options.TailExponent}, {options.ImageSize}x{options.ImageSize}";
        SyntheticCocoWriter.Write(Path.Combine(annotations, "instances_train.json"), $"synthetic shapes train ({settings}, {missing} of {positives} labels left out)", train, options.ClassCount, options.ImageSize, dropped);
        SyntheticCocoWriter.Write(Path.Combine(annotations, "instances_train_complete.json"), $"synthetic shapes train, complete labels ({settings})", train, options.ClassCount, options.ImageSize, null);
        SyntheticCocoWriter.Write(Path.Combine(annotations, "instances_val.json"), $"synthetic shapes val ({settings})", val, options.ClassCount, options.ImageSize, null);

        var names = Enumerable.Range(0, options.ClassCount).Select(SyntheticShapeClasses.Name).ToArray();
        return new SyntheticShapesReport(outputFolder, names, train.Length, val.Length, positives, missing, TimeProvider.System.GetElapsedTime(started));
    }

    private static double[] CumulativeWeights(int classCount, double exponent)
    {
        var cumulative = new double[classCount];
        double total = 0;
        for (int c = 0; c < classCount; c++)
        {
            total += 1 / Math.Pow(c + 1, exponent);
            cumulative[c] = total;
        }

        for (int c = 0; c < classCount; c++)
            cumulative[c] /= total;
        return cumulative;
    }

    private static SyntheticImagePlan[] Plan(SyntheticShapesOptions options, double[] cumulative, int split, int count)
    {
        var plans = new SyntheticImagePlan[count];
        for (int i = 0; i < count; i++)
            plans[i] = SyntheticImagePlan.Create(options, cumulative, split, i);
        return plans;
    }

    /// <summary>
    /// Picks exactly round(fraction × positives) (image, class) pairs in a seeded random order, passing over a
    /// pair when it is its image's last remaining label; the count falls short only when too few images have a
    /// second label, and the report says what was reached.
    /// </summary>
    private static (HashSet<int>?[] Dropped, int Positives, int Missing) ChooseMissingLabels(SyntheticImagePlan[] train, SyntheticShapesOptions options)
    {
        var labels = train.Select(p => p.Labels()).ToArray();
        var pairs = new List<(int Image, int Class)>();
        for (int i = 0; i < labels.Length; i++)
        {
            foreach (int c in labels[i])
                pairs.Add((i, c));
        }

        var dropped = new HashSet<int>?[train.Length];
        int target = (int)Math.Round(options.MissingLabelFraction * pairs.Count);
        if (target == 0)
            return (dropped, pairs.Count, 0);

        var random = SplitMix64.For(options.Seed, DropStream, 0);
        for (int i = pairs.Count - 1; i > 0; i--)
        {
            int j = random.NextInt(0, i + 1);
            (pairs[i], pairs[j]) = (pairs[j], pairs[i]);
        }

        int missing = 0;
        foreach (var (image, c) in pairs)
        {
            if (missing == target)
                break;
            var set = dropped[image] ??= [];
            if (labels[image].Length - set.Count <= 1)
                continue;
            set.Add(c);
            missing++;
        }

        return (dropped, pairs.Count, missing);
    }

    private static void Render(string folder, SyntheticImagePlan[] plans, SyntheticShapesOptions options, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism, CancellationToken = cancellationToken };
        Parallel.For(
            0,
            plans.Length,
            parallel,
            () => new SyntheticShapeRenderer(options.ImageSize, options.JpegQuality, options.NoiseAmplitude),
            (i, _, renderer) =>
            {
                File.WriteAllBytes(Path.Combine(folder, plans[i].FileName), renderer.Render(plans[i]));
                return renderer;
            },
            renderer => renderer.Dispose());
    }
}
