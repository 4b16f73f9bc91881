using Asl.Distributed.Configuration.Schema;

namespace Asl.Distributed.Sweeps;

/// <summary>
/// The default and range of every ranged spec field, written once as the training config writes its keys, so that
/// the reader's checks, its messages and the README's table (<c>KeyTable.Markdown(SweepSettings.Schema)</c>) agree.
/// The reader fills one of these; <see cref="SweepSpec"/> is what it returns. The free-form fields (name, base,
/// config, search_space, baselines, seed) are read by <see cref="SweepSpecReader"/> itself.
/// </summary>
public sealed class SweepSettings
{
    /// <summary>The key table of these fields.</summary>
    public static ConfigSchema Schema => ConfigSchema.Of(typeof(SweepSettings));

    public SweepAlgorithmSettings Algorithm { get; set; } = new();

    public SweepMetricSettings Metric { get; set; } = new();

    [Setting("Workers each trial trains on together: its data-parallel world size (run.batch_size must split evenly over them).", Min = 1, Max = 1024)]
    public int WorkersPerTrial { get; set; } = 1;

    [Setting("Trials running at the same time; 0: as many as the free workers allow.", Min = 0, Max = 100_000)]
    public int MaxConcurrentTrials { get; set; }

    [Setting("Failures a trial may have and still be retried from its last checkpoint; one more fails it.", Min = 0, Max = 1000)]
    public int MaxFailuresPerTrial { get; set; } = 3;
}
