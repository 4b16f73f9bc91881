namespace Asl.Distributed.Training.Collectives;

/// <summary>
/// A collective could not complete: a peer died, went silent, never joined, sent something malformed, or another
/// rank reported such a failure. <see cref="LostRank"/> names the rank at fault when it is known.
/// </summary>
public sealed class CollectiveException : Exception
{
    public CollectiveException(int rank, int lostRank, string reason, Exception? inner = null)
        : base(Describe(rank, lostRank, reason), inner)
    {
        Rank = rank;
        LostRank = lostRank;
        Reason = reason;
    }

    /// <summary>The rank that raised the error.</summary>
    public int Rank { get; }

    /// <summary>The rank that is lost or at fault; −1 when unknown.</summary>
    public int LostRank { get; }

    /// <summary>What happened, without the rank prefix.</summary>
    public string Reason { get; }

    private static string Describe(int rank, int lostRank, string reason) =>
        lostRank < 0 ? $"rank {rank}: collective failed: {reason}"
        : lostRank == rank ? $"rank {rank}: failed: {reason}"
        : $"rank {rank}: lost rank {lostRank}: {reason}";
}
