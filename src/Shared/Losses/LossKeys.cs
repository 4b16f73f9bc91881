using Asl.Distributed.Configuration;
using Asl.Distributed.Configuration.Schema;
using Asl.Distributed.Configuration.Training;

namespace Asl.Distributed.Losses;

/// <summary>The ranges of the loss settings, read from the <c>loss</c> config section's keys (where they are written once).</summary>
internal static class LossKeys
{
    private static readonly ConfigSchema Loss = ConfigSchema.Of(typeof(LossConfig));
    private static readonly ConfigSchema Adaptive = ConfigSchema.Of(typeof(AdaptiveAsymmetryConfig));

    /// <summary>Adds the problem of <paramref name="value"/> for the <c>loss</c> key <paramref name="name"/>, if any.</summary>
    public static void Check(List<ConfigProblem> problems, string prefix, string name, object? value) =>
        Add(problems, Loss, prefix, name, value);

    /// <summary>Adds the problem of <paramref name="value"/> for the <c>loss.adaptive</c> key <paramref name="name"/>, if any.</summary>
    public static void CheckAdaptive(List<ConfigProblem> problems, string prefix, string name, object? value) =>
        Add(problems, Adaptive, prefix, name, value);

    private static void Add(List<ConfigProblem> problems, ConfigSchema schema, string prefix, string name, object? value)
    {
        var key = schema.Find(name) ?? throw new InvalidOperationException($"no loss key {name}");
        if (key.Check(value, $"{prefix}.{name}") is { } problem)
            problems.Add(problem);
    }
}
