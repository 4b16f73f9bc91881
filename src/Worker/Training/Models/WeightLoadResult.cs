namespace Asl.Distributed.Training.Models;

/// <summary>
/// What a weight load did. <see cref="MissingKeys"/> stayed at their initialisation; <see cref="UnexpectedKeys"/>
/// were in the file but not in the model; when <see cref="HeadReinitialized"/> is set the file's classifier head had
/// another shape and the model's head was left untouched (at its fresh initialisation for a new model).
/// BatchNorm <c>num_batches_tracked</c> counters are loaded when both sides have them and never reported.
/// </summary>
public sealed record WeightLoadResult(
    string Path,
    WeightFormat Format,
    IReadOnlyList<string> LoadedKeys,
    IReadOnlyList<string> MissingKeys,
    IReadOnlyList<string> UnexpectedKeys,
    bool HeadReinitialized,
    string? HeadMismatch)
{
    /// <summary>True when every model key was loaded from the file and the file had nothing extra.</summary>
    public bool IsExact => MissingKeys.Count == 0 && UnexpectedKeys.Count == 0 && !HeadReinitialized;

    /// <summary>A one-line summary for logs.</summary>
    public override string ToString()
    {
        var head = HeadReinitialized ? $"; head left at initialisation ({HeadMismatch})" : string.Empty;
        return $"{System.IO.Path.GetFileName(Path)} ({Format}): {LoadedKeys.Count} tensors loaded, " +
            $"{MissingKeys.Count} missing, {UnexpectedKeys.Count} unexpected{head}";
    }
}
