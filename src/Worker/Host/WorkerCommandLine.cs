using System.CommandLine;
using Asl.Distributed.Runs;
using Asl.Distributed.Worker.Commands;
using Asl.Distributed.Worker.Launching;
using Asl.Distributed.Worker.Logging;
using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Worker;

/// <summary>
/// <c>asl-worker</c>: <c>train CONFIG.yaml [section.key=value ...] [--resume] [--nproc N | --rank R --world-size N --peers ...]</c>
/// trains one model, on this process or data-parallel over several ranks; <c>config keys|schema|show</c> describes
/// the settings; <c>devices</c> lists what it can train on and <c>check --device D</c> checks one; <c>join --coordinator URL</c> runs the worker agent, which takes trials from the coordinator. Exit codes (<see cref="RunExitCodes"/>): 0 done, 1 the run failed (bad data, non-finite loss,
/// unusable checkpoint, an unexpected error), 2 bad command line or config (nothing started), 3 a peer rank was
/// lost, 4 stopped early on request, 130 interrupted; the last checkpoint is intact after 1, 3, 4 and 130.
/// </summary>
public static class WorkerCommandLine
{
    /// <summary>Exit code of a data-parallel rank that lost a peer.</summary>
    public const int LostPeerExitCode = RunExitCodes.PeerLost;

    public static int Run(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken, ILoggerProvider? telemetryLogs = null) =>
        Run(args, output, error, TimeProvider.System, cancellationToken, telemetryLogs);

    /// <summary>Runs the command line; <paramref name="telemetryLogs"/>, where given, also gets every log line (the OpenTelemetry pipeline's).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, TimeProvider time, CancellationToken cancellationToken, ILoggerProvider? telemetryLogs = null)
    {
        var logLevel = new Option<LogLevel>("--log-level")
        {
            Description = "Least important log messages shown: Trace, Debug, Information (the default), Warning, Error.",
            DefaultValueFactory = _ => LogLevel.Information,
            Recursive = true,
        };
        var train = new TrainCommand();
        var root = new RootCommand("asl-worker: trains multi-label classifiers with the asymmetric loss, alone, data-parallel, or as a coordinator's worker.") { logLevel, train.Command };
        int Refuse(Configuration.ConfigException e)
        {
            error.WriteLine($"asl-worker: config error: {e.Message}");
            return RunExitCodes.InvalidConfig;
        }
        root.Add(ConfigCommand.Create(output, Refuse));
        root.Add(DevicesCommand.Create(output));
        root.Add(CheckCommand.Create(output, error));
        root.Add(JoinCommand.Create(logLevel, output, error, time, cancellationToken, telemetryLogs));
        train.Command.SetAction(result =>
        {
            using var loggers = WorkerLoggers.Create(output, error, result.GetValue(logLevel), telemetryLogs);
            TrainArguments arguments;
            try
            {
                arguments = train.Arguments(result);
            }
            catch (ArgumentException e)
            {
                error.WriteLine($"asl-worker: {e.Message}; {TrainArguments.Usage}");
                return RunExitCodes.InvalidConfig;
            }
            return new TrainRunner(output, error, loggers, time).Run(arguments, cancellationToken);
        });

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var problem in parsed.Errors)
                error.WriteLine($"asl-worker: {problem.Message}");
            error.WriteLine($"see: asl-worker {string.Join(' ', args.Take(1).Where(a => !a.StartsWith('-')))} --help".Replace("  ", " ", StringComparison.Ordinal));
            return RunExitCodes.InvalidConfig;
        }
        int exit = parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        // A bare `asl-worker` (no command) shows the help and, as a usage error, exits 2.
        return args.Length == 0 ? RunExitCodes.InvalidConfig : exit;
    }
}
