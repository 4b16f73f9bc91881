namespace Asl.Distributed.Training.Tests.Metrics;

/// <summary>Seeded random score and target matrices (row-major) for the metric tests.</summary>
internal static class MetricsTestData
{
    /// <summary>
    /// Scores in [0, 1] that lean higher for positives, rounded to multiples of 1/<paramref name="levels"/> so that
    /// many scores tie (0 leaves them continuous). The listed classes get no positive at all.
    /// </summary>
    public static (float[] Scores, float[] Targets) Generate(
        int seed, int rows, int classes, int levels, double positiveRate, params int[] classesWithoutPositives)
    {
        var random = new Random(seed);
        var scores = new float[rows * classes];
        var targets = new float[rows * classes];
        for (int i = 0; i < scores.Length; i++)
        {
            int c = i % classes;
            bool positive = !classesWithoutPositives.Contains(c) && random.NextDouble() < positiveRate;
            float raw = (float)(positive ? 0.3 + 0.7 * random.NextDouble() : 0.7 * random.NextDouble());
            scores[i] = levels > 0 ? MathF.Round(raw * levels) / levels : raw;
            targets[i] = positive ? 1f : 0f;
        }

        return (scores, targets);
    }

    /// <summary>Rows [first, first + count) of a row-major matrix.</summary>
    public static float[] Rows(float[] matrix, int classes, int first, int count) =>
        matrix.AsSpan(first * classes, count * classes).ToArray();
}
