using System.Security.Cryptography.X509Certificates;
using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Security;
using Grpc.Core;
using Grpc.Net.Client;

namespace Asl.Distributed.Worker.Agent;

/// <summary>
/// The channel to one coordinator address and the options of every call on it: the worker token as a bearer header,
/// a deadline on unary calls, and (for https) a certificate that must chain to the configured CA.
/// </summary>
internal sealed class CoordinatorLink : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly Metadata _headers;
    private readonly TimeSpan _callTimeout;

    public CoordinatorLink(Uri address, string token, TimeSpan callTimeout, X509Certificate2Collection? ca)
    {
        Address = address;
        _callTimeout = callTimeout;
        _headers = new Metadata { { "authorization", $"Bearer {token}" } };
        var handler = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            // The order stream may be silent for hours; pings notice a coordinator that vanished without closing it.
            KeepAlivePingDelay = TimeSpan.FromSeconds(15),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(15),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            ConnectTimeout = callTimeout,
        };
        if (ca is not null)
            handler.SslOptions = PrivateCa.ClientOptions(ca);
        _channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        Client = new WorkerHub.WorkerHubClient(_channel);
    }

    public Uri Address { get; }

    public WorkerHub.WorkerHubClient Client { get; }

    /// <summary>Options of a unary call. gRPC deadlines are wall-clock instants, so this reads the real clock.</summary>
    public CallOptions Call(CancellationToken ct) => new(_headers, DateTime.UtcNow + _callTimeout, ct);

    /// <summary>Options of the order stream: no deadline, it lasts as long as the connection.</summary>
    public CallOptions Stream(CancellationToken ct) => new(_headers, null, ct);

    public void Dispose() => _channel.Dispose();
}
