using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Training.Collectives;

/// <summary>
/// The gRPC server a worker hosts for its left neighbour (HTTP/2 cleartext, or TLS when configured), serving one
/// rank's <see cref="CollectiveService"/> and, on the same port, its socket data streams. Port 0 picks a free port;
/// <see cref="Address"/> tells which.
/// </summary>
public sealed class CollectiveServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private CollectiveServer(WebApplication app, Uri address, RingDataConnections dataConnections)
    {
        _app = app;
        Address = address;
        DataConnections = dataConnections;
    }

    /// <summary>Where the left neighbour connects, e.g. http://127.0.0.1:40123.</summary>
    public Uri Address { get; }

    /// <summary>The middleware that tells data connections from HTTP/2 ones, with its counts of those still opening.</summary>
    internal RingDataConnections DataConnections { get; }

    /// <summary>Starts serving <paramref name="inbox"/> on <paramref name="endpoint"/>; fails naming the address when it is taken.</summary>
    public static async Task<CollectiveServer> StartAsync(RingInbox inbox, IPEndPoint endpoint, CancellationToken ct = default)
    {
        var options = inbox.Options;
        var dataConnections = new RingDataConnections(inbox);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(endpoint, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (options.Tls is { } tls)
                {
                    listen.UseHttps(new HttpsConnectionAdapterOptions
                    {
                        ServerCertificate = X509Certificate2.CreateFromPemFile(tls.CertificatePath, tls.KeyPath),
                        ClientCertificateMode = ClientCertificateMode.NoCertificate,
                    });
                }
                listen.Use(dataConnections.Use);
            });
            kestrel.Limits.Http2.InitialConnectionWindowSize = PeerChannels.WindowBytes;
            kestrel.Limits.Http2.InitialStreamWindowSize = PeerChannels.WindowBytes;
            kestrel.Limits.Http2.MaxStreamsPerConnection = 4 * options.Streams + 4;
            // Fewer, larger frames and no early back-pressure on an HTTP/2 connection's input: a chunk is 1 MiB. A data
            // stream's input pipe pauses at a queue's worth of chunks, which bounds its memory as the gRPC queues do.
            kestrel.Limits.Http2.MaxFrameSize = (1 << 24) - 1;
            kestrel.Limits.MaxRequestBufferSize = options.Transport == RingTransport.Grpc
                ? 64L << 20
                : Math.Max(1L << 20, (long)options.QueueCapacity * (options.ChunkLength * sizeof(float) + RingFrames.HeaderBytes));
            kestrel.Limits.MinRequestBodyDataRate = null; // a stream may idle between collectives; heartbeats watch it
        });
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.ChunkLength * sizeof(float) + 1024;
            grpc.EnableDetailedErrors = true;
        });
        builder.Services.AddSingleton(inbox);
        // Large pool blocks: Kestrel then receives and pipes a chunk in 256 KiB pieces rather than 4 KiB ones.
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>, LargeBlockMemoryPool.Factory>();
        var app = builder.Build();
        app.MapGrpcService<CollectiveService>();
        try
        {
            await app.StartAsync(ct).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new CollectiveException(inbox.Rank, -1, $"cannot listen on {endpoint}: {e.Message}", e);
        }
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new CollectiveServer(app, new Uri(address), dataConnections);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
