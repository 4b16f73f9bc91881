namespace Asl.Distributed.Sweeps;

/// <summary>
/// A validated sweep, as <see cref="SweepSpecReader"/> returns it and <see cref="SweepSpecWriter"/> stores it.
/// Immutable and compared by value. <see cref="BaseConfig"/> is the base training config as canonical YAML (every
/// key written out, the loss preset kept unresolved so that a trial's <c>loss.preset</c> still applies), so a stored
/// spec never depends on the file it came from. The trials are a function of the spec alone
/// (<see cref="TrialPlanner"/>).
/// </summary>
/// <param name="Name">A safe identifier (letters, digits, '-', '_'; 1 to 64): an id and a folder name.</param>
/// <param name="BaseConfig">The base training config, canonical YAML.</param>
/// <param name="SearchSpace">The swept keys in the order written (the first varies slowest under grid).</param>
/// <param name="Baselines">Extra fixed trials; they come first (trial indices 0 to count − 1).</param>
/// <param name="Algorithm">Grid, random or ASHA.</param>
/// <param name="Metric">What ranks trials.</param>
/// <param name="WorkersPerTrial">Workers a trial trains on together (its distributed world size).</param>
/// <param name="MaxConcurrentTrials">Trials running at once; 0 for no limit beyond the free workers.</param>
/// <param name="MaxFailuresPerTrial">Failures a trial survives; the next one fails it.</param>
/// <param name="Seed">The sweep seed every trial's seed and samples derive from.</param>
public sealed record SweepSpec(
    string Name,
    string BaseConfig,
    ValueList<SweepDimension> SearchSpace,
    ValueList<SweepBaseline> Baselines,
    SweepAlgorithm Algorithm,
    SweepMetric Metric,
    int WorkersPerTrial,
    int MaxConcurrentTrials,
    int MaxFailuresPerTrial,
    long Seed);
