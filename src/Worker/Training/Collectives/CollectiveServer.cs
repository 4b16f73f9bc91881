using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Training.Collectives;

/// <summary>
/// The gRPC server a worker hosts for its left neighbour (HTTP/2 cleartext), serving one rank's
/// <see cref="CollectiveService"/>. Port 0 picks a free port; <see cref="Address"/> tells which.
/// </summary>
public sealed class CollectiveServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private CollectiveServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>Where the left neighbour connects, e.g. http://127.0.0.1:40123.</summary>
    public Uri Address { get; }

    /// <summary>Starts serving <paramref name="inbox"/> on <paramref name="endpoint"/>.</summary>
    public static async Task<CollectiveServer> StartAsync(RingInbox inbox, IPEndPoint endpoint, CancellationToken ct = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(endpoint, listen => listen.Protocols = HttpProtocols.Http2);
            // Larger HTTP/2 windows keep a chunk stream moving (platform notes: ~1.2 GB/s with 16 MiB windows).
            kestrel.Limits.Http2.InitialConnectionWindowSize = 16 << 20;
            kestrel.Limits.Http2.InitialStreamWindowSize = 16 << 20;
        });
        builder.Services.AddGrpc(options => options.MaxReceiveMessageSize = inbox.MaxChunkFloats * sizeof(float) + 1024);
        builder.Services.AddSingleton(inbox);
        var app = builder.Build();
        app.MapGrpcService<CollectiveService>();
        await app.StartAsync(ct).ConfigureAwait(false);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new CollectiveServer(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
