using Asl.Distributed.Reports;
using System.CommandLine;
using Asl.Distributed.Configuration;
using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Coordinator.Hosting;
using Asl.Distributed.Coordinator.Reports;
using Asl.Distributed.Sweeps;
using Grpc.Core;

namespace Asl.Distributed.Coordinator.Cli;

/// <summary>
/// <c>asl sweep run | submit | status | watch | results | report | cancel</c> and <c>asl workers</c>. Exit codes: 0 done, 1 the
/// coordinator refused or could not be reached, 2 bad options or an invalid spec, 130 interrupted.
/// </summary>
internal static class SweepCommand
{
    public static IEnumerable<Command> Create(TextWriter output, TextWriter error)
    {
        var sweep = new Command("sweep", "Run, submit, follow, export or cancel sweeps of training runs.");
        sweep.Add(LocalSweepCommand.Create(output, error));
        sweep.Add(Submit(output, error));
        sweep.Add(Status(output, error));
        sweep.Add(Watch(output, error));
        sweep.Add(Results(output, error));
        sweep.Add(Report(output, error));
        sweep.Add(Cancel(output, error));
        return [sweep, Workers(output, error)];
    }

    private static Command Submit(TextWriter output, TextWriter error)
    {
        var address = new CoordinatorAddress();
        var spec = new Argument<string>("spec") { Description = "The sweep spec (YAML); its base: path is read relative to it." };
        var command = new Command("submit", "Checks a sweep spec and submits it to a running coordinator (the same spec again resumes its sweep).") { spec };
        address.AddTo(command);
        command.SetAction((result, token) => Call(address, result, error, async client =>
        {
            if (ReadSpec(result.GetValue(spec)!, error) is not { } read)
                return 2;
            var reply = await client.SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = SweepSpecWriter.Write(read) }, cancellationToken: token);
            output.WriteLine($"sweep {reply.SweepId}: {reply.TrialCount} trials{(reply.Resumed ? " (resumed: this spec was stored already)" : "")}");
            return 0;
        }));
        return command;
    }

    private static Command Status(TextWriter output, TextWriter error)
    {
        var address = new CoordinatorAddress();
        var id = SweepId();
        var command = new Command("status", "Prints a sweep's trials: state, epoch, metric, best so far and settings.") { id };
        address.AddTo(command);
        command.SetAction((result, token) => Call(address, result, error, async client =>
        {
            var sweepId = result.GetValue(id)!;
            var info = await client.GetSweepAsync(new GetSweepRequest { SweepId = sweepId }, cancellationToken: token);
            var trials = (await client.ListTrialsAsync(new ListTrialsRequest { SweepId = sweepId }, cancellationToken: token)).Trials;
            foreach (var line in TrialTable.Render(info, trials))
                output.WriteLine(line);
            return 0;
        }));
        return command;
    }

    private static Command Watch(TextWriter output, TextWriter error)
    {
        var address = new CoordinatorAddress();
        var id = SweepId();
        var command = new Command("watch", "Follows a sweep until it ends: a live table on a terminal, one line per event otherwise; then the leaderboard.") { id };
        address.AddTo(command);
        command.SetAction((result, token) => Call(address, result, error, async client =>
        {
            var sweepId = result.GetValue(id)!;
            var info = await new SweepWatcher(client, output, redraw: !Console.IsOutputRedirected).Watch(sweepId, token);
            await PrintLeaderboard(client, info, output, token);
            return 0;
        }));
        return command;
    }

    private static Command Results(TextWriter output, TextWriter error)
    {
        var address = new CoordinatorAddress();
        var id = SweepId();
        var format = new Option<string>("--format") { Description = "csv (one row per trial) or json (every epoch of every trial).", DefaultValueFactory = _ => "csv" };
        format.AcceptOnlyFromAmong("csv", "json");
        var file = new Option<string?>("--output") { Description = "File to write (default: standard output)." };
        var command = new Command("results", "Exports every trial's settings, seed, state and metrics as CSV or JSON.") { id, format, file };
        address.AddTo(command);
        command.SetAction((result, token) => Call(address, result, error, async client =>
        {
            var sweepId = result.GetValue(id)!;
            var info = await client.GetSweepAsync(new GetSweepRequest { SweepId = sweepId }, cancellationToken: token);
            var trials = (await client.ListTrialsAsync(new ListTrialsRequest { SweepId = sweepId }, cancellationToken: token)).Trials;
            string text = result.GetValue(format) == "json" ? ResultsExport.Json(info, trials) : ResultsExport.Csv(info, trials);
            if (result.GetValue(file) is { } path)
                await File.WriteAllTextAsync(path, text, token);
            else
                output.Write(text);
            return 0;
        }));
        return command;
    }

    private static Command Report(TextWriter output, TextWriter error)
    {
        var address = new CoordinatorAddress();
        var id = SweepId();
        var folder = new Option<string>("--out") { Description = "Folder to write the report into (index.html, report.md, the plots, trials.csv and trials.json).", Required = true };
        var command = new Command("report", "Writes a sweep's report: leaderboard, plots (learning curves, mAP against γ−, Δp and γ−, ASHA's rungs, per-class AP) and every trial as CSV and JSON.") { id, folder };
        address.AddTo(command);
        command.SetAction((result, token) => Call(address, result, error, async client =>
        {
            var sweepId = result.GetValue(id)!;
            var info = await client.GetSweepAsync(new GetSweepRequest { SweepId = sweepId }, cancellationToken: token);
            var trials = (await client.ListTrialsAsync(new ListTrialsRequest { SweepId = sweepId }, cancellationToken: token)).Trials;
            string path = Path.GetFullPath(result.GetValue(folder)!);
            try
            {
                SweepReport.Write(info, trials, RungEpochs(info.SpecYaml), path);
            }
            catch (ReportException e)
            {
                error.WriteLine($"asl: {e.Message}");
                return 1;
            }
            output.WriteLine($"asl: report of sweep {sweepId} in {Path.Combine(path, "index.html")}");
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// The epochs of an ASHA sweep's rungs where a trial can be stopped (before max_epochs, where every trial ends
    /// anyway), from its stored spec; none for grid and random sweeps.
    /// </summary>
    internal static IReadOnlyList<int> RungEpochs(string specYaml)
    {
        if (SweepSpecReader.Parse(specYaml) is not { Algorithm: AshaAlgorithm } spec)
            return [];
        var asha = AshaScheduler.For(spec);
        return [.. asha.Milestones.Where(m => m < asha.MaxEpochs).Select(m => (int)m)];
    }

    private static Command Cancel(TextWriter output, TextWriter error)
    {
        var address = new CoordinatorAddress();
        var id = SweepId();
        var trial = new Option<string?>("--trial") { Description = "Cancel only this trial of the sweep." };
        var command = new Command("cancel", "Stops a sweep's running trials at their next safe point and drops the pending ones (or one trial with --trial).") { id, trial };
        address.AddTo(command);
        command.SetAction((result, token) => Call(address, result, error, async client =>
        {
            var sweepId = result.GetValue(id)!;
            var reply = result.GetValue(trial) is { } trialId
                ? await client.CancelTrialAsync(new CancelTrialRequest { SweepId = sweepId, TrialId = trialId }, cancellationToken: token)
                : await client.CancelSweepAsync(new CancelSweepRequest { SweepId = sweepId }, cancellationToken: token);
            output.WriteLine($"{reply.AffectedTrials} trial(s) stopping or dropped");
            return 0;
        }));
        return command;
    }

    private static Command Workers(TextWriter output, TextWriter error)
    {
        var address = new CoordinatorAddress();
        var command = new Command("workers", "Lists the workers registered with a coordinator and the trials they run.");
        address.AddTo(command);
        command.SetAction((result, token) => Call(address, result, error, async client =>
        {
            var workers = (await client.ListWorkersAsync(new ListWorkersRequest(), cancellationToken: token)).Workers;
            output.WriteLine($"{workers.Count} worker(s)");
            foreach (var w in workers)
                output.WriteLine($"{w.WorkerId}  {w.Host}  {string.Join(",", w.Devices)}  peer {w.PeerEndpoint}  capacity {w.Capacity}  running {(w.RunningTrials.Count == 0 ? "-" : string.Join(",", w.RunningTrials))}" +
                    (w.Runtime.Length > 0 ? $"  ({w.Runtime})" : ""));
            return 0;
        }));
        return command;
    }

    /// <summary>Reads and checks a spec file; returns it, or null after printing every problem.</summary>
    public static SweepSpec? ReadSpec(string path, TextWriter error)
    {
        try
        {
            return SweepSpecReader.Load(path);
        }
        catch (ConfigException e)
        {
            error.WriteLine($"asl: invalid sweep spec {path}:");
            foreach (var problem in e.Problems)
                error.WriteLine($"  {problem}");
            return null;
        }
    }

    public static async Task PrintLeaderboard(SweepService.SweepServiceClient client, SweepInfo info, TextWriter output, CancellationToken token)
    {
        var trials = (await client.ListTrialsAsync(new ListTrialsRequest { SweepId = info.SweepId }, cancellationToken: token)).Trials;
        output.WriteLine(TrialTable.Summary(info));
        foreach (var line in SweepWatcher.Leaderboard(info, trials, info.Maximize))
            output.WriteLine(line);
    }

    private static Argument<string> SweepId() => new("sweep") { Description = "The sweep's id (its spec's name)." };

    private static async Task<int> Call(CoordinatorAddress address, ParseResult result, TextWriter error, Func<SweepService.SweepServiceClient, Task<int>> action)
    {
        try
        {
            var (client, channel) = address.Connect(result);
            using (channel)
                return await action(client);
        }
        catch (Exception e) when (e is TokenFileException or OptionFileException)
        {
            error.WriteLine($"asl: {e.Message}");
            return 2;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled)
        {
            return 130;
        }
        catch (OperationCanceledException)
        {
            return 130;
        }
        catch (RpcException e)
        {
            error.WriteLine($"asl: the coordinator answered {e.StatusCode}: {e.Status.Detail}");
            return e.StatusCode == StatusCode.InvalidArgument ? 2 : 1;
        }
    }
}
