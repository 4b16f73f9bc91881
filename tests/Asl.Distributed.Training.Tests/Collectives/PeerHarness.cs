using Asl.Distributed.Training.Collectives;

namespace Asl.Distributed.Training.Tests.Collectives;

/// <summary>Ranks joined through <see cref="PeerGroup"/> on free loopback ports, each with its own real server.</summary>
internal static class PeerHarness
{
    public const string Secret = "job-7f3a";

    /// <summary>Small chunks over three streams; timeouts far beyond any test's wait.</summary>
    public static readonly CollectiveOptions Small = new()
    {
        ChunkLength = 4096,
        Streams = 3,
        PeerTimeout = TimeSpan.FromSeconds(20),
        RendezvousTimeout = TimeSpan.FromSeconds(20),
    };

    /// <summary>Joins <paramref name="world"/> ranks, each on its own thread, as separate processes would.</summary>
    public static Task<ProcessGroup[]> JoinAsync(int world, CollectiveOptions options)
    {
        var peers = LoopbackPorts.Peers(world);
        return Hang.Guard(Task.WhenAll(Enumerable.Range(0, world).Select(r => Task.Run(() => PeerGroup.JoinAsync(r, peers, Secret, options)))),
            $"the join of {world} ranks");
    }

    /// <summary>Joins <paramref name="world"/> ranks, runs <paramref name="work"/> on each, and closes them.</summary>
    public static async Task WithGroups(int world, CollectiveOptions options, Func<ProcessGroup, int, Task> work)
    {
        var groups = await JoinAsync(world, options);
        try
        {
            await Hang.Guard(Task.WhenAll(Enumerable.Range(0, world).Select(r => Task.Run(() => work(groups[r], r)))), "the collectives");
        }
        finally
        {
            await Task.WhenAll(groups.Select(g => g.DisposeAsync().AsTask()));
        }
    }

    /// <summary>The inbox of a joined rank: what its left neighbour sends arrives there.</summary>
    public static RingInbox InboxOf(ProcessGroup group) => ((PeerRingLink)group.Link!).Inbox;
}
