using Asl.Distributed.Training.Data;

namespace Asl.Distributed.Training.Loading;

/// <summary>
/// Which samples a rank reads in an epoch, with the semantics of PyTorch's
/// <c>torch.utils.data.distributed.DistributedSampler</c>: the epoch's order is a permutation of 0…N−1 fixed by
/// seed + epoch alone (or 0…N−1 unshuffled); without drop-last it is padded by repeating its own start until its
/// length divides by the world size, so every rank gets ceil(N / world) samples; with drop-last it is cut to
/// world · floor(N / world) instead. Rank r takes positions r, r + world, r + 2·world, … . Every rank computes the
/// same permutation, so the shards are disjoint apart from the padding and together cover the data set.
/// The permutation comes from this class's own generator (SplitMix64 and a Fisher–Yates shuffle), not from
/// <c>torch.randperm</c>: the same (seed, epoch) gives the same order on every machine and .NET version, but not the
/// order PyTorch would give.
/// </summary>
public sealed class DistributedSampler
{
    /// <summary>Creates the sampler for one rank; validates every argument.</summary>
    /// <param name="datasetLength">N, the data set's sample count (≥ 0).</param>
    /// <param name="worldSize">Number of ranks (≥ 1).</param>
    /// <param name="rank">This rank, in [0, worldSize).</param>
    /// <param name="shuffle">Whether each epoch uses a fresh permutation (PyTorch's default: true).</param>
    /// <param name="seed">Seed shared by all ranks; the epoch's permutation depends on seed + epoch only.</param>
    /// <param name="dropLast">Drop the tail that does not divide evenly instead of padding.</param>
    /// <param name="uneven">
    /// Neither pad nor drop: rank r takes positions r, r + world, … below N, so shards differ by at most one sample and
    /// together hold every sample exactly once (validation on the exact set, gathered afterwards).
    /// </param>
    public DistributedSampler(int datasetLength, int worldSize = 1, int rank = 0, bool shuffle = true, long seed = 0, bool dropLast = false,
        bool uneven = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(datasetLength);
        if (worldSize < 1)
            throw new ArgumentOutOfRangeException(nameof(worldSize), worldSize, "The world size must be at least 1.");
        if (rank < 0 || rank >= worldSize)
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"The rank must be in [0, {worldSize}) for world size {worldSize}.");

        DatasetLength = datasetLength;
        WorldSize = worldSize;
        Rank = rank;
        Shuffle = shuffle;
        Seed = seed;
        DropLast = dropLast;
        Uneven = uneven;
        if (uneven && dropLast)
            throw new ArgumentException("uneven shards and drop-last exclude each other", nameof(uneven));
        NumSamples = uneven ? Math.Max(0, (datasetLength - rank + worldSize - 1) / worldSize)
            : dropLast ? datasetLength / worldSize : (datasetLength + worldSize - 1) / worldSize;
        TotalSize = uneven ? datasetLength : NumSamples * worldSize;
    }

    /// <summary>N.</summary>
    public int DatasetLength { get; }

    /// <summary>Number of ranks.</summary>
    public int WorldSize { get; }

    /// <summary>This rank.</summary>
    public int Rank { get; }

    /// <summary>Whether epochs are shuffled.</summary>
    public bool Shuffle { get; }

    /// <summary>The shared seed.</summary>
    public long Seed { get; }

    /// <summary>Whether the uneven tail is dropped rather than padded.</summary>
    public bool DropLast { get; }

    /// <summary>Whether shards are left uneven (no padding, no drop).</summary>
    public bool Uneven { get; }

    /// <summary>The current epoch (0 until <see cref="SetEpoch"/>).</summary>
    public int Epoch { get; private set; }

    /// <summary>Samples of this rank per epoch: ceil(N / world), floor(N / world) with drop-last, ceil((N − rank) / world) uneven.</summary>
    public int NumSamples { get; }

    /// <summary>Length of the padded (or cut) global order: NumSamples · world, or N when uneven.</summary>
    public int TotalSize { get; }

    /// <summary>Selects the epoch whose order <see cref="GetIndices"/> returns; call it before each epoch, on every rank.</summary>
    public void SetEpoch(int epoch) => Epoch = epoch;

    /// <summary>This rank's sample indices for the current epoch, in reading order (length <see cref="NumSamples"/>).</summary>
    public int[] GetIndices()
    {
        int[] order = GetGlobalOrder();
        var indices = new int[NumSamples];
        for (int i = 0; i < NumSamples; i++)
            indices[i] = order[Rank + i * WorldSize];
        return indices;
    }

    /// <summary>
    /// The whole epoch's order before sharding (length <see cref="TotalSize"/>): the permutation (or identity),
    /// then padded by repeating it from its start, or cut.
    /// </summary>
    public int[] GetGlobalOrder()
    {
        var permutation = new int[DatasetLength];
        for (int i = 0; i < DatasetLength; i++)
            permutation[i] = i;
        if (Shuffle)
            FisherYates(permutation, Seed + Epoch);

        var order = new int[TotalSize];
        for (int i = 0; i < TotalSize; i++)
            order[i] = permutation[i % DatasetLength];
        return order;
    }

    private static void FisherYates(int[] values, long seed)
    {
        var generator = new SplitMix64((ulong)seed);
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = (int)Bounded(ref generator, (ulong)(i + 1));
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    // Rejection keeps every j equally likely; a plain modulo would favour small values.
    private static ulong Bounded(ref SplitMix64 generator, ulong bound)
    {
        ulong limit = ulong.MaxValue - ulong.MaxValue % bound;
        ulong value;
        do
            value = generator.NextUInt64();
        while (value >= limit);
        return value % bound;
    }
}
