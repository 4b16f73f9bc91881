using Asl.Distributed.Configuration.Schema;

namespace Asl.Distributed.Configuration.Training;

/// <summary>
/// The learning-rate schedule (config section <c>schedule</c>). Defaults are the official script's OneCycle:
/// 80 epochs, pct_start 0.2, start lr = max/25, final lr = start/1e4, cosine annealing, β1 cycled 0.95 → 0.85,
/// stopping after epoch 40.
/// </summary>
public sealed class ScheduleConfig
{
    [Setting("onecycle (PyTorch's OneCycleLR, cosine, as the official script) or constant.")]
    public ScheduleKind Kind { get; set; } = ScheduleKind.OneCycle;

    [Setting("Epochs the schedule spans.", Min = 1, Max = 100_000)]
    public int Epochs { get; set; } = 80;

    [Setting("Stop after this many epochs (the official run stops after 40 of 80); 0 runs them all; at most schedule.epochs.", Min = 0, Max = 100_000)]
    public int StopEpoch { get; set; } = 40;

    [Setting("OneCycle: fraction of the steps spent raising the learning rate.", Min = 0, Max = 1)]
    public double PctStart { get; set; } = 0.2;

    [Setting("OneCycle: start lr = optimizer.lr / div_factor.", Min = 0, MinExclusive = true)]
    public double DivFactor { get; set; } = 25;

    [Setting("OneCycle: final lr = start lr / final_div_factor.", Min = 0, MinExclusive = true)]
    public double FinalDivFactor { get; set; } = 1e4;

    [Setting("OneCycle: cycle Adam's β1 between max_momentum and base_momentum.")]
    public bool CycleMomentum { get; set; } = true;

    [Setting("OneCycle: the lowest β1 (at the peak learning rate).", Min = 0, Max = 1)]
    public double BaseMomentum { get; set; } = 0.85;

    [Setting("OneCycle: the highest β1 (at the start and the end); at least base_momentum.", Min = 0, Max = 1)]
    public double MaxMomentum { get; set; } = 0.95;

    /// <summary>The number of epochs that actually run.</summary>
    public int EpochsToRun => StopEpoch > 0 ? Math.Min(StopEpoch, Epochs) : Epochs;

    internal void Validate(List<ConfigProblem> problems)
    {
        if (StopEpoch > Epochs)
        {
            bool isDefault = StopEpoch == new ScheduleConfig().StopEpoch;
            problems.Add(new ConfigProblem("schedule.stop_epoch",
                $"{StopEpoch}{(isDefault ? " (its default)" : "")} is more than schedule.epochs ({Epochs}); allowed: an integer in [0, {Epochs}] (0 runs every epoch)"));
        }
        if (MaxMomentum < BaseMomentum)
            problems.Add(new ConfigProblem("schedule.max_momentum",
                $"{SettingKey.Format(MaxMomentum)} is less than schedule.base_momentum ({SettingKey.Format(BaseMomentum)}); allowed: a number in [{SettingKey.Format(BaseMomentum)}, 1]"));
    }
}
