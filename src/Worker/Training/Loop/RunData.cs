namespace Asl.Distributed.Training.Loop;

/// <summary>
/// The batches a trainer reads and the classes they are labelled with. With several ranks the batches are this
/// rank's shards. An epoch's batches must depend only on the epoch number (see <see cref="IEpochBatches"/>).
/// </summary>
public sealed record RunData(IEpochBatches Train, IEpochBatches Validation, IReadOnlyList<string> ClassNames)
{
    public int ClassCount => ClassNames.Count;

    /// <summary>Data whose classes have no names (tests, benchmarks): "class 0", "class 1", ...</summary>
    public static RunData Unnamed(IEpochBatches train, IEpochBatches validation, int classCount) =>
        new(train, validation, Enumerable.Range(0, classCount).Select(c => $"class {c}").ToArray());
}
