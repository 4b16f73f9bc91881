using System.Net;
using System.Net.Sockets;

namespace Asl.Distributed.Training.Collectives;

/// <summary>
/// Joins the ranks of a job over gRPC: rank r listens at the r-th peer address, connects to rank r + 1, and waits in
/// a barrier until the ring is closed. A rank that never starts makes its neighbours fail at the rendezvous
/// timeout naming it; they pass the failure on, so every rank stops.
/// </summary>
public static class PeerGroup
{
    /// <summary>Extra time the ranks that are not next to a missing rank wait, so that its neighbours' error (naming it) reaches them first.</summary>
    private static readonly TimeSpan RendezvousSlack = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Starts this rank's server and joins the ring of <paramref name="peers"/> (one "host:port" per rank, in rank
    /// order, identical on every rank). World size 1 returns a group without any network.
    /// </summary>
    public static async Task<ProcessGroup> JoinAsync(int rank, IReadOnlyList<string> peers, string secret, CollectiveOptions options, CancellationToken ct = default)
    {
        options.Validate();
        int worldSize = peers.Count;
        if (worldSize == 0)
            throw new ArgumentException("the peer list is empty; allowed: one host:port per rank");
        if (rank < 0 || rank >= worldSize)
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"the rank must be in [0, {worldSize}) for {worldSize} peers");
        if (worldSize == 1)
            return ProcessGroup.Single();
        if (string.IsNullOrEmpty(secret))
            throw new ArgumentException("the job secret is empty; every rank of a job needs the same non-empty secret");

        var time = options.TimeProvider;
        long deadline = time.GetTimestamp() + (long)(options.RendezvousTimeout.TotalSeconds * time.TimestampFrequency);
        var own = ParseEndpoint(peers[rank], rank);
        var right = ParseEndpoint(peers[(rank + 1) % worldSize], (rank + 1) % worldSize);
        var inbox = new RingInbox(rank, worldSize, secret, options);
        CollectiveServer? server = null;
        PeerRingLink? link = null;
        try
        {
            server = await CollectiveServer.StartAsync(inbox, ListenEndpoint(own), ct).ConfigureAwait(false);
            string scheme = options.Tls is null ? "http" : "https";
            // UriBuilder puts an IPv6 address in brackets.
            link = new PeerRingLink(inbox, new UriBuilder(scheme, right.Host, right.Port).Uri, secret);
            await link.ConnectAsync(deadline, ct).ConfigureAwait(false);
            var group = new ProcessGroup(link, rank, worldSize, options.ChunkLength, options.Format, DisposeAsync(inbox, server, link));
            using var expiry = new CancellationTokenSource(options.RendezvousTimeout + RendezvousSlack, time);
            using var rendezvous = CancellationTokenSource.CreateLinkedTokenSource(ct, expiry.Token);
            try
            {
                await group.BarrierAsync(rendezvous.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new CollectiveException(rank, -1,
                    $"the ring did not close within the rendezvous timeout of {options.RendezvousTimeout.TotalSeconds:G} s; " +
                    $"check that all {worldSize} ranks of --peers {string.Join(',', peers)} are started");
            }
            return group;
        }
        catch
        {
            await DisposeAsync(inbox, server, link)().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Parses "host:port" (IPv6 in brackets); the error names the rank and the allowed form.</summary>
    public static DnsEndPoint ParseEndpoint(string peer, int rank)
    {
        int colon = peer.LastIndexOf(':');
        string host = colon > 0 ? peer[..colon].Trim('[', ']') : "";
        if (colon <= 0 || host.Length == 0 || !int.TryParse(peer[(colon + 1)..], out int port) || port is < 1 or > 65535)
            throw new ArgumentException($"peer {rank} '{peer}' is not host:port with a port in [1, 65535]");
        return new DnsEndPoint(host, port);
    }

    /// <summary>Loopback names listen on loopback only; any other address listens on every interface (a pod's IP, a host name).</summary>
    private static IPEndPoint ListenEndpoint(DnsEndPoint own)
    {
        if (IPAddress.TryParse(own.Host, out var ip))
            return new IPEndPoint(IPAddress.IsLoopback(ip) ? ip : (ip.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any), own.Port);
        return new IPEndPoint(own.Host == "localhost" ? IPAddress.Loopback : IPAddress.Any, own.Port);
    }

    private static Func<ValueTask> DisposeAsync(RingInbox inbox, CollectiveServer? server, PeerRingLink? link) => async () =>
    {
        if (link is not null)
            await link.DisposeAsync().ConfigureAwait(false);
        inbox.Dispose();
        if (server is not null)
            await server.DisposeAsync().ConfigureAwait(false);
    };
}
