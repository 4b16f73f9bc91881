using System.Net;
using Asl.Distributed.Coordinator.Telemetry;
using Asl.Distributed.Coordinator.Api;
using Asl.Distributed.Coordinator.Storage;
using Asl.Distributed.Coordinator.Sweeps;
using Asl.Distributed.Coordinator.Workers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Asl.Distributed.Coordinator.Hosting;

/// <summary>
/// The coordinator process: one Orleans silo (localhost clustering, SQLite grain storage and event journal in the
/// coordinator's folder) and the gRPC API on Kestrel, in one host.
/// </summary>
public static class CoordinatorHost
{
    public static WebApplication Build(CoordinatorSettings settings, AccessTokens tokens, ILoggerProvider? logging = null, TimeProvider? time = null)
    {
        Directory.CreateDirectory(settings.Directory);
        Directory.CreateDirectory(settings.TrialsDirectory);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (logging is not null)
            builder.Logging.AddProvider(logging);
        // Polly: Orleans' placement runs through a resilience pipeline that logs two Information lines per grain
        // activation (every trial), which would drown the coordinator's own lines.
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning).AddFilter("Orleans", LogLevel.Warning).AddFilter("Polly", LogLevel.Warning);
        // OpenTelemetry where OTEL_* asks for it: its last exports go once the app has stopped (below).
        var telemetry = CoordinatorTelemetry.Start(settings.Telemetry, logging?.CreateLogger("asl.telemetry"));
        if (telemetry.LoggerProvider is { } telemetryLogs)
            builder.Logging.AddProvider(telemetryLogs);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Parse(settings.Host), settings.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (settings.TlsCert is not null && settings.TlsKey is not null)
                    listen.UseHttps(System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(settings.TlsCert, settings.TlsKey));
            });
            // Spec files and epoch reports are small; the cap keeps a garbage message from costing memory.
            kestrel.Limits.MaxRequestBodySize = 8 << 20;
        });

        builder.Services.AddSingleton(time ?? TimeProvider.System);
        builder.Services.AddSingleton(tokens);
        builder.Services.AddSingleton<WorkerOrders>();
        builder.Services.AddSingleton<WorkerLiveness>();
        builder.Services.AddSingleton<CoordinatorMetrics>();
        builder.Services.AddSingleton<SweepTraces>();
        builder.Services.AddSingleton<ISweepEventLog, JournalSweepEventLog>();
        builder.Services.AddSingleton<ISweepPlanner, SpecSweepPlanner>();
        builder.Services.Configure<RegistryOptions>(o =>
        {
            o.HeartbeatInterval = settings.HeartbeatInterval;
            o.HeartbeatTimeout = settings.HeartbeatTimeout;
        });
        builder.Services.Configure<SweepOptions>(o => o.TrialsDirectory = settings.TrialsDirectory);
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = RequestGate.MaxRequestMessageBytes;
        });
        builder.Services.AddGrpcHealthChecks().AddCheck<CoordinatorHealthCheck>("coordinator");
        builder.Services.AddGrpcReflection();

        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(settings.SiloPort, gatewayPort: 0, serviceId: "asl-distributed", clusterId: "asl-embedded");
            // Orleans' binary format: it follows the state types' [Id] and [Alias], so fields and types can be renamed or
            // moved without making stored records unreadable (the JSON default writes CLR type names).
            silo.Services.AddSingleton<IGrainStorageSerializer, OrleansGrainStorageSerializer>();
            silo.AddSqliteGrainStorageAsDefault(o => o.FilePath = settings.StorePath);
            silo.AddSqliteEventJournal(o => o.FilePath = settings.StorePath);
            silo.AddStartupTask<SweepRecovery>();
        });

        var app = builder.Build();
        // After every hosted service (the silo too) has stopped, so the sweep's last spans and metrics are in.
        app.Lifetime.ApplicationStopped.Register(telemetry.Dispose);
        app.UseMiddleware<RequestGate>();
        app.MapGrpcService<WorkerHubApi>();
        app.MapGrpcService<SweepServiceApi>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }
}
