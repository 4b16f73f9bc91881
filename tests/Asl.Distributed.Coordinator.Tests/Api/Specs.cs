namespace Asl.Distributed.Coordinator.Tests.Api;

/// <summary>Sweep specs for API tests (the spec format itself is tested in Shared).</summary>
internal static class Specs
{
    /// <summary>A grid over loss.gamma_neg with <paramref name="values"/>, each trial <paramref name="epochs"/> epochs.</summary>
    public static string Grid(string name, int epochs, int workersPerTrial = 1, int maxFailures = 3, params double[] values) => $$"""
        name: {{name}}
        config:
          schedule: {epochs: {{epochs}}, stop_epoch: 0}
        search_space:
          loss.gamma_neg: {grid: [{{string.Join(", ", values.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)))}}]}
        algorithm: {kind: grid}
        workers_per_trial: {{workersPerTrial}}
        max_failures_per_trial: {{maxFailures}}
        """;

    /// <summary>ASHA over a grid of <paramref name="trials"/> gamma_neg values, η 2, grace 1, max 4 epochs.</summary>
    public static string Asha(string name, int trials) => $$"""
        name: {{name}}
        search_space:
          loss.gamma_neg: {grid: [{{string.Join(", ", Enumerable.Range(0, trials))}}]}
        algorithm: {kind: asha, reduction_factor: 2, grace_period: 1, max_epochs: 4}
        metric: {name: map, mode: max}
        """;
}
