namespace Asl.Distributed.Configuration.Training;

/// <summary>
/// Everything one training run needs, as written in a YAML config (snake_case keys). Defaults are the official
/// ASL COCO recipe where one exists; every value used is recorded with the run.
/// </summary>
public sealed class TrainingConfig
{
    /// <summary>Seed of every random source of the run (data order, augmentation, initialisation).</summary>
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

    /// <summary>Throws a <see cref="ConfigException"/> naming the first setting out of range; returns this.</summary>
    public TrainingConfig Validate()
    {
        Data.Validate("data");
        Image.Validate("image");
        Model.Validate("model");
        Loss.ToOptions("loss");
        Optimizer.Validate("optimizer");
        Schedule.Validate("schedule");
        Run.Validate("run");
        Output.Validate("output");
        Distributed.Validate("distributed");
        return this;
    }
}
