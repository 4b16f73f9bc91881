using System.Net;
using System.Net.Sockets;
using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Training.Collectives;
using Grpc.Core;
using Grpc.Net.Client;

namespace Asl.Distributed.Training.Tests.Collectives;

/// <summary>
/// Rank 1 of 2 receiving over socket data streams: its inbox and a real <see cref="CollectiveServer"/>, a gRPC channel
/// to it, and raw TCP clients that write whatever a test wants on its port.
/// </summary>
internal sealed class SocketReceiver : IAsyncDisposable
{
    public const string Secret = "job-51d2";

    public static readonly Metadata Headers = new() { { CollectiveService.SecretHeader, Secret } };

    /// <summary>One stream, small chunks, timeouts far beyond any test's wait.</summary>
    public static readonly CollectiveOptions Options = new()
    {
        ChunkLength = 4096,
        Streams = 1,
        PeerTimeout = TimeSpan.FromSeconds(20),
        RendezvousTimeout = TimeSpan.FromSeconds(20),
    };

    private SocketReceiver(RingInbox inbox, CollectiveServer server)
    {
        Inbox = inbox;
        Server = server;
        Channel = GrpcChannel.ForAddress(server.Address);
    }

    public RingInbox Inbox { get; }

    public CollectiveServer Server { get; }

    public GrpcChannel Channel { get; }

    public static async Task<SocketReceiver> StartAsync(CollectiveOptions options)
    {
        var inbox = new RingInbox(1, 2, Secret, options);
        return new SocketReceiver(inbox, await CollectiveServer.StartAsync(inbox, new IPEndPoint(IPAddress.Loopback, 0)));
    }

    /// <summary>
    /// A data connection for stream 0, with a freshly granted token unless <paramref name="token"/> is given; preface
    /// and token go out in one write, as a rank's sender writes them.
    /// </summary>
    public async Task<SocketSender> ConnectAsync(byte[]? token = null)
    {
        if (token is null)
        {
            var grant = await new Collective.CollectiveClient(Channel).OpenDataStreamAsync(
                new RingMessage { Kind = RingMessageKind.Hello, SenderRank = 0, WorldSize = 2, StreamIndex = 0 }, Headers);
            token = grant.Token.ToByteArray();
        }
        return new SocketSender(await RawAsync([.. "ASL-RING"u8, .. token]), token);
    }

    /// <summary>A TCP connection to the server's port that has written <paramref name="bytes"/> (maybe none) and waits.</summary>
    public async Task<TcpClient> RawAsync(byte[] bytes)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, Server.Address.Port);
        if (bytes.Length > 0)
            await client.GetStream().WriteAsync(bytes);
        return client;
    }

    /// <summary>Completes when the server has closed <paramref name="client"/>'s connection (an end of stream or a reset).</summary>
    public static async Task ClosedAsync(TcpClient client)
    {
        var buffer = new byte[256];
        try
        {
            while (await client.GetStream().ReadAsync(buffer) > 0)
            {
            }
        }
        catch (IOException)
        {
            // A reset closes it too.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        Inbox.Dispose();
        await Server.DisposeAsync();
    }
}
