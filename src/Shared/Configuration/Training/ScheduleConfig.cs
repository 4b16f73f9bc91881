namespace Asl.Distributed.Configuration.Training;

/// <summary>
/// The learning-rate schedule (config section <c>schedule</c>). Defaults are the official script's OneCycle:
/// 80 epochs, pct_start 0.2, start lr = max/25, final lr = start/1e4, cosine annealing, β1 cycled 0.95 → 0.85,
/// stopping after epoch 40.
/// </summary>
public sealed class ScheduleConfig
{
    /// <summary>Allowed values of <see cref="Kind"/>.</summary>
    public static readonly IReadOnlyList<string> Kinds = ["onecycle", "constant"];

    public string Kind { get; set; } = "onecycle";

    /// <summary>Epochs the schedule spans.</summary>
    public int Epochs { get; set; } = 80;

    /// <summary>Stop after this many epochs (the official run stops after 40 of 80); 0 runs them all.</summary>
    public int StopEpoch { get; set; } = 40;

    public double PctStart { get; set; } = 0.2;

    public double DivFactor { get; set; } = 25;

    public double FinalDivFactor { get; set; } = 1e4;

    /// <summary>Cycle Adam's β1 between <see cref="MaxMomentum"/> and <see cref="BaseMomentum"/>.</summary>
    public bool CycleMomentum { get; set; } = true;

    public double BaseMomentum { get; set; } = 0.85;

    public double MaxMomentum { get; set; } = 0.95;

    /// <summary>The number of epochs that actually run.</summary>
    [YamlDotNet.Serialization.YamlIgnore]
    public int EpochsToRun => StopEpoch > 0 ? Math.Min(StopEpoch, Epochs) : Epochs;

    internal void Validate(string prefix)
    {
        ConfigChecks.OneOf(Kind, Kinds, $"{prefix}.kind");
        ConfigChecks.InRange(Epochs, 1, 100_000, $"{prefix}.epochs");
        ConfigChecks.InRange(StopEpoch, 0, Epochs, $"{prefix}.stop_epoch");
        ConfigChecks.InRange(PctStart, 0, 1, $"{prefix}.pct_start");
        ConfigChecks.Positive(DivFactor, $"{prefix}.div_factor");
        ConfigChecks.Positive(FinalDivFactor, $"{prefix}.final_div_factor");
        ConfigChecks.InRange(BaseMomentum, 0, 1, $"{prefix}.base_momentum");
        ConfigChecks.InRange(MaxMomentum, BaseMomentum, 1, $"{prefix}.max_momentum");
    }
}
