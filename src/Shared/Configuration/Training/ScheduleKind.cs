using Asl.Distributed.Configuration.Schema;

namespace Asl.Distributed.Configuration.Training;

/// <summary>The learning-rate schedule (config <c>schedule.kind</c>).</summary>
public enum ScheduleKind
{
    /// <summary>PyTorch's OneCycleLR with cosine annealing and β1 cycling, as the official script.</summary>
    [ConfigName("onecycle")] OneCycle,
    /// <summary>optimizer.lr throughout.</summary>
    [ConfigName("constant")] Constant,
}
