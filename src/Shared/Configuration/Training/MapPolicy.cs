using Asl.Distributed.Configuration.Schema;

namespace Asl.Distributed.Configuration.Training;

/// <summary>How mAP treats classes without positives in the validation set (config <c>run.map_policy</c>).</summary>
public enum MapPolicy
{
    /// <summary>Leave them out of the mean (scikit-learn and most libraries).</summary>
    [ConfigName("exclude")] Exclude,
    /// <summary>Count them as AP 0 (the official ASL helper).</summary>
    [ConfigName("count-as-zero")] CountAsZero,
}
