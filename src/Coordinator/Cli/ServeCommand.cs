using Asl.Distributed.Telemetry;
using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Asl.Distributed.Coordinator.Hosting;
using Asl.Distributed.Coordinator.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Asl.Distributed.Coordinator.Cli;

/// <summary>
/// <c>asl serve</c>: runs the coordinator until SIGTERM or Ctrl-C. Exit codes: 0 stopped by a signal, 1 the
/// coordinator could not start or stopped on an error (an unusable store file, a port in use), 2 bad options.
/// </summary>
internal static class ServeCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var directory = new Option<string>("--dir") { Description = "The coordinator's folder: coordinator.db, the generated tokens, trials/.", DefaultValueFactory = _ => "asl-coordinator" };
        var host = new Option<string>("--host") { Description = "Address the gRPC API listens on (0.0.0.0 for every interface).", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Port of the gRPC API; 0 picks a free one (printed at start).", DefaultValueFactory = _ => 50051 };
        var siloPort = new Option<int>("--silo-port") { Description = "Port of the Orleans silo (loopback).", DefaultValueFactory = _ => 11111 };
        var heartbeat = new Option<double>("--heartbeat-interval-s") { Description = "How often workers heartbeat, in seconds.", DefaultValueFactory = _ => 2 };
        var timeout = new Option<double>("--heartbeat-timeout-s") { Description = "A worker silent this many seconds is dropped and its trials re-queued.", DefaultValueFactory = _ => 20 };
        var tlsCert = new Option<string?>("--tls-cert") { Description = "PEM certificate of the API (with --tls-key: HTTPS)." };
        var tlsKey = new Option<string?>("--tls-key") { Description = "PEM private key of --tls-cert." };
        var workerToken = new Option<string?>("--worker-token-file") { Description = $"File holding the workers' token (else ${TokenFiles.WorkerVariable}, else generated into --dir)." };
        var clientToken = new Option<string?>("--client-token-file") { Description = $"File holding the clients' token (else ${TokenFiles.ClientVariable}, else generated into --dir)." };
        var command = new Command("serve", "Runs the coordinator: the sweep grains and the gRPC API for workers and clients, until SIGTERM or Ctrl-C.")
        {
            directory, host, port, siloPort, heartbeat, timeout, tlsCert, tlsKey, workerToken, clientToken,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            // Checked here rather than in a command validator, where options left out do not yet have their defaults.
            var problems = new List<string>();
            if (result.GetValue(port) is < 0 or > 65535)
                problems.Add("--port: allowed: an integer in [0, 65535]");
            if (result.GetValue(siloPort) is < 1 or > 65535)
                problems.Add("--silo-port: allowed: an integer in [1, 65535]");
            if (!(result.GetValue(heartbeat) is >= 0.05 and <= 3600))
                problems.Add("--heartbeat-interval-s: allowed: a number in [0.05, 3600]");
            if (!(result.GetValue(timeout) > 2 * result.GetValue(heartbeat) && result.GetValue(timeout) <= 86_400))
                problems.Add("--heartbeat-timeout-s: allowed: a number above twice --heartbeat-interval-s and at most 86400");
            if ((result.GetValue(tlsCert) is null) != (result.GetValue(tlsKey) is null))
                problems.Add("--tls-cert and --tls-key: give both or neither");
            else if (result.GetValue(tlsCert) is { } cert && TlsProblem(cert, result.GetValue(tlsKey)!) is { } tlsProblem)
                problems.Add(tlsProblem);
            if (!System.Net.IPAddress.TryParse(result.GetValue(host), out _))
                problems.Add($"--host: '{result.GetValue(host)}' is not an IP address; allowed: e.g. 127.0.0.1 or 0.0.0.0");
            foreach (var problem in problems)
                error.WriteLine($"asl: {problem}");
            if (problems.Count > 0)
                return 2;
            var settings = new CoordinatorSettings
            {
                Directory = Path.GetFullPath(result.GetValue(directory)!),
                Host = result.GetValue(host)!,
                Port = result.GetValue(port),
                SiloPort = result.GetValue(siloPort),
                HeartbeatInterval = TimeSpan.FromSeconds(result.GetValue(heartbeat)),
                HeartbeatTimeout = TimeSpan.FromSeconds(result.GetValue(timeout)),
                TlsCert = result.GetValue(tlsCert),
                TlsKey = result.GetValue(tlsKey),
                WorkerTokenFile = result.GetValue(workerToken),
                ClientTokenFile = result.GetValue(clientToken),
            };
            return await Serve(settings, output, error, cancellationToken);
        });
        return command;
    }

    /// <summary>Why the certificate and key files cannot serve HTTPS, or null when they can.</summary>
    private static string? TlsProblem(string cert, string key)
    {
        try
        {
            X509Certificate2.CreateFromPemFile(cert, key).Dispose();
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or CryptographicException)
        {
            return $"--tls-cert '{cert}' with --tls-key '{key}' cannot be used: {e.Message}; allowed: a readable PEM certificate and its PEM private key";
        }
    }

    private static async Task<int> Serve(CoordinatorSettings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            settings = settings with { Telemetry = OtelEnvironment.Read() };
            Directory.CreateDirectory(settings.Directory);
            var tokens = TokenFiles.Resolve(settings, Environment.GetEnvironmentVariable);
            using var console = new ConsoleLoggerProvider(new FixedOptions<ConsoleLoggerOptions>(new ConsoleLoggerOptions { FormatterName = ConsoleFormatterNames.Simple }));
            await using var app = CoordinatorHost.Build(settings, tokens, console);
            await app.StartAsync(cancellationToken);
            string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "?";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"asl: coordinator listening on {address} (folder {settings.Directory})"));
            output.Flush();
            await app.WaitForShutdownAsync(cancellationToken);
            return 0;
        }
        catch (TokenFileException e)
        {
            error.WriteLine($"asl: {e.Message}");
            return 2;
        }
        catch (TelemetrySettingsException e)
        {
            error.WriteLine($"asl: {e.Message}");
            return 2;
        }
        catch (StoreFileException e)
        {
            error.WriteLine($"asl: store error: {e.Message}");
            return 1;
        }
        catch (IOException e)
        {
            error.WriteLine($"asl: cannot start the coordinator: {e.Message}");
            return 1;
        }
    }
}
