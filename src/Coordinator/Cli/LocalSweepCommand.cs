using Asl.Distributed.Reports;
using Asl.Distributed.Telemetry;
using System.CommandLine;
using System.Globalization;
using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Coordinator.Api;
using Asl.Distributed.Coordinator.Hosting;
using Asl.Distributed.Coordinator.Reports;
using Asl.Distributed.Coordinator.Storage;
using Asl.Distributed.Sweeps;
using Grpc.Core;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Asl.Distributed.Coordinator.Cli;

/// <summary>
/// <c>asl sweep run SPEC --local-workers N</c>: the embedded default. A coordinator in this process (its folder
/// --dir: store, tokens, trials/, workers/ logs) and N local worker agents; submits the spec (the same spec and folder
/// again resumes the sweep), follows it to its end and prints the leaderboard. Ctrl-C or SIGTERM stops the agents at
/// their next safe point (checkpoints intact) and exits 130; running the same command again goes on.
/// </summary>
internal static class LocalSweepCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var spec = new Argument<string>("spec") { Description = "The sweep spec (YAML)." };
        var workers = new Option<int>("--local-workers") { Description = "Worker agents to start on this machine (one trial slot each).", DefaultValueFactory = _ => 1 };
        var directory = new Option<string>("--dir") { Description = "The coordinator's folder; the same folder resumes its sweeps.", DefaultValueFactory = _ => "asl-coordinator" };
        var workerCommand = new Option<string?>("--worker-command") { Description = $"The asl-worker program or .dll (else ${WorkerCommand.Variable}, else beside asl, else this repository's build)." };
        var command = new Command("run", "Runs a sweep on this machine: an embedded coordinator and --local-workers worker agents, a live table, the leaderboard at the end.")
        {
            spec, workers, directory, workerCommand,
        };
        command.SetAction((result, token) => result.GetValue(workers) is < 1 or > 64
            ? Task.FromResult(Refuse(error, "--local-workers: allowed: an integer in [1, 64]"))
            : Run(result.GetValue(spec)!, result.GetValue(workers), Path.GetFullPath(result.GetValue(directory)!),
            result.GetValue(workerCommand), output, error, token));
        return command;
    }

    private static async Task<int> Run(string specPath, int workerCount, string directory, string? workerPath, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (SweepCommand.ReadSpec(specPath, error) is not { } spec)
            return 2;
        string specYaml = SweepSpecWriter.Write(spec);
        if (spec.WorkersPerTrial > workerCount)
        {
            error.WriteLine($"asl: workers_per_trial is {spec.WorkersPerTrial} in {specPath}, but --local-workers is {workerCount}; no trial could start");
            return 2;
        }
        if (WorkerCommand.Find(workerPath, out var searched) is not { } worker)
        {
            error.WriteLine($"asl: asl-worker not found (looked at: {string.Join(", ", searched)}); build it (dotnet build -c Release) or give --worker-command");
            return 2;
        }

        var settings = new CoordinatorSettings
        {
            Directory = directory,
            Port = 0,
            SiloPort = LoopbackPorts.Free(),
            HeartbeatInterval = TimeSpan.FromSeconds(1),
            HeartbeatTimeout = TimeSpan.FromSeconds(15),
        };
        try
        {
            settings = settings with { Telemetry = OtelEnvironment.Read() };
            Directory.CreateDirectory(directory);
            var tokens = TokenFiles.Resolve(settings, _ => null);
            using var logging = new ConsoleLoggerProvider(new FixedOptions<ConsoleLoggerOptions>(new ConsoleLoggerOptions { LogToStandardErrorThreshold = LogLevel.Warning }));
            await using var app = CoordinatorHost.Build(settings, tokens, new MinimumLevelProvider(logging, LogLevel.Error));
            await app.StartAsync(cancellationToken);
            string url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            output.WriteLine($"asl: coordinator at {url}, folder {directory}; {workerCount} local worker(s), logs in {Path.Combine(directory, "workers")}");

            try
            {
                return await RunSweep(url, tokens, worker, workerCount, specYaml, settings, output, error, cancellationToken);
            }
            finally
            {
                // Stopped here, not only disposed, so the silo deactivates its grains and leaves the store cleanly.
                await app.StopAsync(CancellationToken.None);
            }
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
    }

    private static async Task<int> RunSweep(string url, AccessTokens tokens, WorkerCommand worker, int workerCount,
        string specYaml, CoordinatorSettings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        string directory = settings.Directory;
        using var agents = LocalWorkers.Start(worker, workerCount, url, tokens.WorkerToken, directory);
        using var channel = CoordinatorAddress.Channel(url, tokens.ClientToken);
        var client = new SweepService.SweepServiceClient(channel);
        try
        {
            await WaitForWorkers(client, agents, workerCount, cancellationToken);
            var submitted = await client.SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = specYaml }, cancellationToken: cancellationToken);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"asl: sweep {submitted.SweepId}: {submitted.TrialCount} trials{(submitted.Resumed ? ", resumed from the folder" : "")}"));
            var info = await new SweepWatcher(client, output, redraw: !Console.IsOutputRedirected).Watch(submitted.SweepId, cancellationToken);
            await SweepCommand.PrintLeaderboard(client, info, output, cancellationToken);
            await WriteResults(client, info, directory, output, error, cancellationToken);
            output.WriteLine($"asl: trial outputs (config.yaml, metrics.jsonl, checkpoints) in {Path.Combine(settings.TrialsDirectory, submitted.SweepId)}");
            await agents.Stop(TimeSpan.FromSeconds(30));
            return 0;
        }
        catch (Exception e) when (e is OperationCanceledException || (e is RpcException r && r.StatusCode == StatusCode.Cancelled))
        {
            output.WriteLine("asl: interrupted; stopping the workers at their next safe point (run the same command again to go on)");
            await agents.Stop(TimeSpan.FromSeconds(60));
            return 130;
        }
        catch (RpcException e)
        {
            error.WriteLine($"asl: the coordinator answered {e.StatusCode}: {e.Status.Detail}");
            await agents.Stop(TimeSpan.FromSeconds(60));
            return e.StatusCode is StatusCode.InvalidArgument or StatusCode.AlreadyExists ? 2 : 1;
        }
    }

    /// <summary>
    /// Writes the sweep's results as CSV and JSON into the coordinator folder's results/, and its report (page, plots)
    /// into report/&lt;sweep&gt;/. A report that cannot be drawn (no font) is said and does not fail the run.
    /// </summary>
    private static async Task WriteResults(SweepService.SweepServiceClient client, SweepInfo info, string directory, TextWriter output, TextWriter error,
        CancellationToken cancellationToken)
    {
        var trials = (await client.ListTrialsAsync(new ListTrialsRequest { SweepId = info.SweepId }, cancellationToken: cancellationToken)).Trials;
        string folder = Path.Combine(directory, "results");
        Directory.CreateDirectory(folder);
        string csv = Path.Combine(folder, info.SweepId + ".csv");
        string json = Path.Combine(folder, info.SweepId + ".json");
        await File.WriteAllTextAsync(csv, ResultsExport.Csv(info, trials), cancellationToken);
        await File.WriteAllTextAsync(json, ResultsExport.Json(info, trials), cancellationToken);
        output.WriteLine($"asl: results in {csv} and {json}");
        string report = Path.Combine(directory, "report", info.SweepId);
        try
        {
            SweepReport.Write(info, trials, SweepCommand.RungEpochs(info.SpecYaml), report);
            output.WriteLine($"asl: report in {Path.Combine(report, "index.html")}");
        }
        catch (ReportException e)
        {
            error.WriteLine($"asl: no report: {e.Message}");
        }
    }

    private static int Refuse(TextWriter error, string problem)
    {
        error.WriteLine($"asl: {problem}");
        return 2;
    }

    /// <summary>Waits until every agent has registered; fails if one exits first (its log says why).</summary>
    private static async Task WaitForWorkers(SweepService.SweepServiceClient client, LocalWorkers agents, int count, CancellationToken cancellationToken)
    {
        while (true)
        {
            var registered = (await client.ListWorkersAsync(new ListWorkersRequest(), cancellationToken: cancellationToken)).Workers.Count;
            if (registered >= count)
                return;
            for (int i = 0; i < agents.Processes.Count; i++)
            {
                if (agents.Processes[i].HasExited)
                    throw new RpcException(new Status(StatusCode.Unavailable,
                        $"worker local-{i} exited with code {agents.Processes[i].ExitCode} before registering; see {agents.LogFiles[i]}"));
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }
}
