using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Worker.Tests.Agent.TestHub;

/// <summary>
/// Serves a <see cref="StandInHub"/> with Kestrel on 127.0.0.1 (HTTP/2 cleartext). <see cref="StopAsync"/> ends every
/// call at once, as a killed coordinator would (clients see the connection refused from then on);
/// <see cref="StartAgainAsync"/> serves the same hub on the same port, as a coordinator restarted on its folder.
/// With a certificate it serves TLS (https) instead.
/// </summary>
public sealed class StandInHubServer : IAsyncDisposable
{
    private WebApplication? _app;
    private CancellationTokenSource _stopping = new();

    private readonly X509Certificate2? _certificate;

    private StandInHubServer(StandInHub hub, X509Certificate2? certificate)
    {
        Hub = hub;
        _certificate = certificate;
    }

    public StandInHub Hub { get; }

    public int Port { get; private set; }

    public Uri Address => new($"{(_certificate is null ? "http" : "https")}://127.0.0.1:{Port}");

    /// <summary>Which run of the server this is: 1 after the first start, 2 after the first restart, ….</summary>
    public int Run { get; private set; }

    internal CancellationToken Stopping => _stopping.Token;

    /// <summary>Serves <paramref name="hub"/> on <paramref name="port"/> (0: a free one), over TLS with <paramref name="certificate"/> when given.</summary>
    public static async Task<StandInHubServer> StartAsync(StandInHub hub, int port = 0, X509Certificate2? certificate = null)
    {
        var server = new StandInHubServer(hub, certificate);
        await server.ListenAsync(port);
        return server;
    }

    /// <summary>Ends every call and stops listening.</summary>
    public async Task StopAsync()
    {
        if (_app is not { } app)
            return;
        _app = null;
        await _stopping.CancelAsync();
        await app.StopAsync();
        await app.DisposeAsync();
    }

    /// <summary>Listens again on the same port, with the same hub.</summary>
    public async Task StartAgainAsync()
    {
        if (_app is not null)
            throw new InvalidOperationException("the stand-in hub is already serving");
        _stopping = new CancellationTokenSource();
        await ListenAsync(Port);
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task ListenAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(1));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            if (_certificate is not null)
                listen.UseHttps(_certificate);
        }));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(Hub);
        builder.Services.AddSingleton(this);
        var app = builder.Build();
        app.MapGrpcService<StandInHubService>();
        Run++;
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        Port = address.Port;
        _app = app;
    }
}
