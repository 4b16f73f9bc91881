using Asl.Distributed.Configuration.Schema;

namespace Asl.Distributed.Configuration.Training;

/// <summary>What a non-finite loss or validation score does to a run (config <c>run.nan_policy</c>).</summary>
public enum NanPolicy
{
    /// <summary>The run stops with an error naming the epoch and batch.</summary>
    [ConfigName("fail")] Fail,
    /// <summary>The step is skipped and counted; a validation with non-finite scores marks the epoch diverged.</summary>
    [ConfigName("skip")] Skip,
}
