using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Coordinator.Api;
using Asl.Distributed.Coordinator.Cli;
using Asl.Distributed.Coordinator.Hosting;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Coordinator.Tests.Api;

/// <summary>
/// The coordinator host (Orleans silo, SQLite store, gRPC API) in this process on free loopback ports, over a temp
/// folder that outlives restarts: <see cref="Restart"/> stops it and starts a new one on the same folder, as a
/// restarted coordinator process would. End-to-end tests run the real <c>asl serve</c> process; this is its
/// in-process twin for the API's logic.
/// </summary>
internal sealed class TestCoordinator : IAsyncDisposable
{
    public static readonly AccessTokens Tokens = new("worker-token-0123456789abcdef", "client-token-0123456789abcdef");

    private readonly TimeSpan _heartbeatTimeout;
    private readonly ILoggerProvider? _logging;
    private WebApplication? _app;
    private readonly List<GrpcChannel> _channels = [];

    private TestCoordinator(string directory, TimeSpan heartbeatTimeout, ILoggerProvider? logging)
    {
        Directory = directory;
        _heartbeatTimeout = heartbeatTimeout;
        _logging = logging;
    }

    public string Directory { get; }

    public string Address { get; private set; } = "";

    /// <summary>The running silo's grains, to look at stored state the API does not show (ASHA's rung records).</summary>
    public IGrainFactory Grains => _app?.Services.GetRequiredService<IGrainFactory>() ?? throw new InvalidOperationException("the coordinator is not running");

    /// <summary>The running host's instruments (a listener tells them from other coordinators' by the meter's scope).</summary>
    public Coordinator.Telemetry.CoordinatorMetrics Metrics => _app?.Services.GetRequiredService<Coordinator.Telemetry.CoordinatorMetrics>() ?? throw new InvalidOperationException("the coordinator is not running");

    /// <summary>Starts a coordinator on a new temp folder; <paramref name="logging"/> receives its log (none when null).</summary>
    public static async Task<TestCoordinator> Start(TimeSpan? heartbeatTimeout = null, ILoggerProvider? logging = null)
    {
        string directory = Path.Combine(Path.GetTempPath(), "asl-coordinator-test-" + Guid.NewGuid().ToString("N")[..12]);
        var coordinator = new TestCoordinator(directory, heartbeatTimeout ?? TimeSpan.FromMinutes(10), logging);
        await coordinator.Open();
        return coordinator;
    }

    /// <summary>Stops the host (as a clean shutdown) and starts a new one on the same folder and port.</summary>
    public async Task Restart()
    {
        await Close();
        await Open();
    }

    public WorkerHub.WorkerHubClient WorkerClient(string? token = null) => new(Channel(token ?? Tokens.WorkerToken));

    public SweepService.SweepServiceClient Client(string? token = null) => new(Channel(token ?? Tokens.ClientToken));

    public GrpcChannel Channel(string? token)
    {
        var credentials = CallCredentials.FromInterceptor((_, metadata) =>
        {
            if (token is not null)
                metadata.Add("authorization", "Bearer " + token);
            return Task.CompletedTask;
        });
        var channel = GrpcChannel.ForAddress(Address, new GrpcChannelOptions
        {
            Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, credentials),
            UnsafeUseInsecureChannelCallCredentials = true,
            MaxReceiveMessageSize = 64 << 20,
            MaxSendMessageSize = 64 << 20,
        });
        _channels.Add(channel);
        return channel;
    }

    private async Task Open()
    {
        int port = Address.Length > 0 ? new Uri(Address).Port : 0;
        var settings = new CoordinatorSettings
        {
            Directory = Directory,
            Port = port,
            SiloPort = LoopbackPorts.Free(),
            HeartbeatInterval = TimeSpan.FromMilliseconds(200),
            HeartbeatTimeout = _heartbeatTimeout,
        };
        _app = CoordinatorHost.Build(settings, Tokens, _logging);
        await _app.StartAsync();
        Address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    private async Task Close()
    {
        foreach (var channel in _channels)
            channel.Dispose();
        _channels.Clear();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Close();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a finishing background task; the temp folder is left behind.
        }
    }
}
