using System.Threading.Channels;

namespace Asl.Distributed.Training.Collectives;

/// <summary>
/// A ring of <see cref="WorldSize"/> ranks inside one process, joined by bounded channels: rank i sends to
/// rank (i + 1) mod n. Used by tests and by the in-process data-parallel mode. A rank that fails leaves its
/// neighbours waiting; the caller stops them by cancelling the token they share.
/// </summary>
public sealed class InProcessRing
{
    /// <summary>Messages a channel holds before a sender waits, unless the constructor says otherwise.</summary>
    public const int DefaultCapacity = 4;

    private readonly InProcessRingLink[] _links;

    /// <summary>Builds the ring; <paramref name="capacity"/> bounds the messages in flight between two neighbours.</summary>
    public InProcessRing(int worldSize, int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(worldSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        WorldSize = worldSize;

        var channels = new Channel<InProcessRingLink.Message>[worldSize];
        for (var i = 0; i < worldSize; i++)
        {
            channels[i] = Channel.CreateBounded<InProcessRingLink.Message>(new BoundedChannelOptions(capacity)
            {
                SingleReader = true,
                SingleWriter = true,
                FullMode = BoundedChannelFullMode.Wait,
            });
        }

        // Channel i carries rank i's messages to rank i + 1, so rank i reads the channel of rank i − 1.
        _links = new InProcessRingLink[worldSize];
        for (var rank = 0; rank < worldSize; rank++)
            _links[rank] = new InProcessRingLink(rank, channels[rank].Writer, channels[(rank + worldSize - 1) % worldSize].Reader);
    }

    /// <summary>Number of ranks.</summary>
    public int WorldSize { get; }

    /// <summary>The link of each rank, indexed by rank.</summary>
    public IReadOnlyList<InProcessRingLink> Links => _links;
}
