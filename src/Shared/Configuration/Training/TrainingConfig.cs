using Asl.Distributed.Configuration.Schema;
using Asl.Distributed.Losses;

namespace Asl.Distributed.Configuration.Training;

/// <summary>
/// Everything one training run needs, as written in a YAML config (snake_case keys). Defaults are the official
/// ASL COCO recipe where one exists; every value used is recorded with the run. <see cref="Schema"/> is the key
/// table: each key's type, default, range or allowed values and description.
/// </summary>
public sealed class TrainingConfig
{
    /// <summary>The key table of every training setting.</summary>
    public static ConfigSchema Schema => ConfigSchema.Of(typeof(TrainingConfig));

    [Setting("Seed of every random source of the run (data order, augmentation, initialisation).")]
    public int Seed { get; set; }

    public DataConfig Data { get; set; } = new();

    public ImageConfig Image { get; set; } = new();

    public ModelConfig Model { get; set; } = new();

    public LossConfig Loss { get; set; } = new();

    public OptimizerConfig Optimizer { get; set; } = new();

    public ScheduleConfig Schedule { get; set; } = new();

    public RunConfig Run { get; set; } = new();

    public OutputConfig Output { get; set; } = new();

    public DistributedConfig Distributed { get; set; } = new();

    /// <summary>Every problem of this config: values out of their key's range, and settings that conflict.</summary>
    public IReadOnlyList<ConfigProblem> Problems()
    {
        var problems = new List<ConfigProblem>(Schema.CheckValues(this));
        Data.Validate(problems);
        Image.Validate(problems);
        Schedule.Validate(problems);
        Output.Validate(problems);
        Distributed.Validate(problems);
        try
        {
            Loss.ToOptions();
        }
        catch (ConfigException e)
        {
            problems.AddRange(e.Problems);
        }
        return problems.Distinct().ToList();
    }

    /// <summary>Throws a <see cref="ConfigException"/> listing every problem; returns this when there is none.</summary>
    public TrainingConfig Validate()
    {
        var problems = Problems();
        return problems.Count == 0 ? this : throw new ConfigException(problems);
    }

    /// <summary>
    /// Sets <paramref name="key"/> (dotted, as in overrides) from its text, as a YAML value would be read; returns
    /// the problems of that key, empty when it was set. Whole-config checks come from <see cref="Problems"/>.
    /// </summary>
    public IReadOnlyList<ConfigProblem> Set(string key, string value)
    {
        var problems = new List<ConfigProblem>();
        ConfigReader.Set(this, Schema, key, SettingValueReader.ParseValueText(value), problems);
        return problems;
    }
}
