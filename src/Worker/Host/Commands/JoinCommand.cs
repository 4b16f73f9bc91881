using System.CommandLine;
using System.CommandLine.Parsing;
using Asl.Distributed.Configuration;
using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Runs;
using Asl.Distributed.Security;
using Asl.Distributed.Worker.Agent;
using Asl.Distributed.Worker.Logging;
using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Worker.Commands;

/// <summary>
/// <c>asl-worker join --coordinator URL[,URL...]</c>: the worker agent. Its options, their help texts and checks (a
/// bad one exits 2 naming it), the worker token (a file or ASL_WORKER_TOKEN), and the agent's run until SIGTERM or Ctrl-C.
/// </summary>
internal static class JoinCommand
{
    /// <summary>The environment variable that holds the worker token when --token-file is not given.</summary>
    public const string TokenVariable = "ASL_WORKER_TOKEN";

    private const string Description =
        "Join a coordinator as a worker: register, take trial assignments and run each in this process with the trainer, " +
        "report every epoch, the completion or the failure, and reconnect with backoff while the coordinator is away (training " +
        "goes on; reports wait and are delivered in order). SIGTERM or Ctrl-C stops the running trial at its next safe point " +
        "with its checkpoint intact and releases it to the coordinator (not counted as a failure); the agent exits within 25 s " +
        "(at most 20 s for the trial to reach a safe point, then at most 5 s to tell the coordinator). SIGKILL ends the " +
        "trainer with the agent, since it runs in the agent's process. Exit codes: 130 stopped by SIGTERM or Ctrl-C; 2 bad " +
        "options, no worker token, or the coordinator refused the token or worker id; 1 an unexpected error.";

    public static Command Create(Option<LogLevel> logLevel, TextWriter output, TextWriter error, TimeProvider time, CancellationToken cancellationToken,
        ILoggerProvider? telemetryLogs = null)
    {
        var coordinator = new Option<string[]>("--coordinator")
        {
            Description = "The coordinator's address (http:// or https://); several, comma-separated or repeated, are used in order when one fails.",
            HelpName = "URL[,URL...]",
            Required = true,
        };
        var workerId = new Option<string?>("--worker-id")
        {
            Description = "This worker's id, kept across reconnections and restarts: 1 to 128 letters, digits, '.', '-', '_' (default: host name and peer port).",
            HelpName = "ID",
        };
        var peerPort = new Option<int>("--peer-port")
        {
            Description = "The port of this worker's collective service, which the other ranks of a data-parallel trial dial.",
            HelpName = "PORT",
            DefaultValueFactory = _ => WorkerIdentity.DefaultPeerPort,
        };
        var advertiseHost = new Option<string?>("--advertise-host")
        {
            Description = "The host name or address the other ranks use to reach this worker (default: this machine's name).",
            HelpName = "HOST",
        };
        var device = new Option<string?>("--device")
        {
            Description = $"What this worker trains every trial on, in place of the trial's run.device: {ComputeDevice.Allowed} " +
                "(default: each trial's own run.device; registered with the coordinator as resolved here).",
            HelpName = "DEVICE",
        };
        var capacity = new Option<int>("--capacity")
        {
            Description = "Trials this worker runs at once. They share this process's torch threads and random state, " +
                "and data-parallel ones the peer port: prefer one agent per device slot.",
            HelpName = "N",
            DefaultValueFactory = _ => 1,
        };
        var tokenFile = new Option<string?>("--token-file")
        {
            Description = $"A file holding the worker token, sent as 'authorization: Bearer <token>' on every call (default: the {TokenVariable} environment variable).",
            HelpName = "FILE",
        };
        var tlsCa = new Option<string?>("--tls-ca")
        {
            Description = "The PEM certificate of the CA that signed an https coordinator's certificate (default: the system's trusted roots).",
            HelpName = "FILE",
        };
        coordinator.Validators.Add(CheckCoordinators);
        workerId.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && WorkerIdentity.Check(result.Tokens[0].Value) is { } problem)
                result.AddError($"--worker-id {problem}");
        });
        peerPort.Validators.Add(result => CheckRange(result, 1, 65_535));
        capacity.Validators.Add(result => CheckRange(result, 1, 64));
        advertiseHost.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && (result.Tokens[0].Value.Length == 0 || result.Tokens[0].Value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
                result.AddError($"--advertise-host '{result.Tokens[0].Value}' is not a host name; allowed: a host name or IP address");
        });
        device.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && !ComputeDevice.TryParse(result.Tokens[0].Value, out _))
                result.AddError($"--device '{result.Tokens[0].Value}' is not a device; allowed: {ComputeDevice.Allowed}");
        });

        var command = new Command("join", Description) { coordinator, workerId, peerPort, advertiseHost, device, capacity, tokenFile, tlsCa };
        command.SetAction(result =>
        {
            string? token = ReadToken(result.GetValue(tokenFile), out string? problem);
            if (token is null)
            {
                error.WriteLine($"asl-worker: {problem}");
                return RunExitCodes.InvalidConfig;
            }
            if (result.GetValue(tlsCa) is { } ca)
            {
                try
                {
                    foreach (var certificate in PrivateCa.Load(ca))
                        certificate.Dispose();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or System.Security.Cryptography.CryptographicException)
                {
                    error.WriteLine($"asl-worker: --tls-ca '{ca}' cannot be used: {e.Message}; allowed: a readable PEM file with the CA certificate");
                    return RunExitCodes.InvalidConfig;
                }
            }
            int port = result.GetValue(peerPort);
            var options = new JoinOptions
            {
                Coordinators = Coordinators(result.GetValue(coordinator) ?? []),
                WorkerId = result.GetValue(workerId) ?? WorkerIdentity.DefaultId(WorkerIdentity.MachineName, port),
                Token = token,
                AdvertiseHost = result.GetValue(advertiseHost) ?? WorkerIdentity.MachineName,
                PeerPort = port,
                Device = result.GetValue(device) is { } named && ComputeDevice.TryParse(named, out var parsed) ? parsed : null,
                Capacity = result.GetValue(capacity),
                TlsCaPath = result.GetValue(tlsCa),
            };
            using var loggers = WorkerLoggers.Create(output, error, result.GetValue(logLevel), telemetryLogs);
            WorkerAgent agent;
            try
            {
                agent = new WorkerAgent(options, output, loggers, time);
            }
            catch (ConfigException e)
            {
                error.WriteLine($"asl-worker: --device: {e.Message}");
                return RunExitCodes.InvalidConfig;
            }
            using (agent)
                return agent.RunAsync(cancellationToken).GetAwaiter().GetResult();
        });
        return command;
    }

    /// <summary>The worker token from the file or the environment; null with the problem named when there is none.</summary>
    private static string? ReadToken(string? file, out string? problem)
    {
        problem = null;
        string? token;
        if (file is not null)
        {
            try
            {
                token = File.ReadAllText(file).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problem = $"--token-file '{file}' cannot be read: {e.Message}";
                return null;
            }
            if (token.Length == 0)
                problem = $"--token-file '{file}' is empty; allowed: a file holding the worker token";
        }
        else
        {
            token = Environment.GetEnvironmentVariable(TokenVariable)?.Trim() ?? "";
            if (token.Length == 0)
                problem = $"no worker token: pass --token-file FILE or set {TokenVariable}";
        }
        if (problem is null && token.Any(c => c is < '!' or > '~'))
            problem = $"the worker token ({(file is null ? TokenVariable : $"--token-file '{file}'")}) holds a space or a character outside printable ASCII; allowed: one line of printable ASCII";
        return problem is null ? token : null;
    }

    private static List<Uri> Coordinators(IEnumerable<string> values) =>
        [.. values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).Select(v => new Uri(v))];

    private static void CheckCoordinators(OptionResult result)
    {
        foreach (var token in result.Tokens)
        {
            foreach (string value in token.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
                    result.AddError($"--coordinator '{value}' is not a coordinator address; allowed: http://HOST:PORT or https://HOST:PORT");
            }
        }
        if (result.Tokens.Count > 0 && result.Tokens.All(t => t.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Length == 0))
            result.AddError("--coordinator names no address; allowed: one or more http://HOST:PORT or https://HOST:PORT, comma-separated");
    }

    private static void CheckRange(OptionResult result, int min, int max)
    {
        if (result.Tokens.Count == 0)
            return;
        string text = result.Tokens[0].Value;
        // A value that is not an integer is the parser's own error; only the range is checked here.
        if (int.TryParse(text, out int value) && (value < min || value > max))
            result.AddError($"{result.Option.Name} '{text}' is out of range; allowed: an integer in [{min}, {max}]");
    }
}
