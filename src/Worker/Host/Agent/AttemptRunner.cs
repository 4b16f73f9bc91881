using Asl.Distributed.Configuration;
using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Runs;
using Asl.Distributed.Training.Collectives;
using Asl.Distributed.Training.Events;
using Asl.Distributed.Training.Loop;
using Asl.Distributed.Training.Runs;
using Asl.Distributed.Worker.Progress;
using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Worker.Agent;

/// <summary>
/// Runs one rank of a trial's attempt in this process with the trainer of <c>asl-worker train</c>: the assignment's
/// config with output.dir set to its output folder, resumed from its checkpoint when it names one, and joined to the
/// other ranks through the collective service on this worker's peer port (the assignment's endpoints and job secret,
/// as <c>--rank/--world-size/--peers</c> and ASL_JOB_SECRET). Running in-process is what lets the next trial start
/// within milliseconds of the last one's end: no process start, no runtime or TorchSharp load, a warm JIT.
/// Nothing escapes as an exception: every end is an <see cref="AttemptOutcome"/>.
/// </summary>
internal sealed class AttemptRunner(TextWriter output, ILoggerFactory loggers, TimeProvider time, AgentLog log, string ownEndpoint, ComputeDevice? device = null)
{
    public AttemptOutcome Run(TrialAttemptRun attempt, IRunObserver observer)
    {
        var assignment = attempt.Assignment;
        var ct = attempt.Cancellation;
        TrainingConfig config;
        CollectiveOptions collectives;
        try
        {
            config = Resolve(assignment);
            // The agent's own device (--device) wins over the trial's: it knows which slot it serves.
            if (device is { } own)
                config.Run.Device = own;
            collectives = DistributedSettings.ToOptions(config.Distributed);
        }
        catch (ConfigException e)
        {
            return new AttemptOutcome(RunExitReason.InvalidConfig, OneLine(e.Message), "");
        }

        bool root = assignment.Rank == 0;
        var files = new RunFiles(config.Output.Dir);
        bool resume = assignment.ResumeCheckpoint.Length > 0;
        if (assignment.WorldSize > 1 && assignment.PeerEndpoints[assignment.Rank] != ownEndpoint)
        {
            return new AttemptOutcome(RunExitReason.Failed,
                $"the assignment gives rank {assignment.Rank} the peer endpoint {assignment.PeerEndpoints[assignment.Rank]}, but this worker's collective " +
                $"service is at {ownEndpoint} (--advertise-host, --peer-port)", "");
        }
        if (root)
        {
            try
            {
                if (resume)
                    PlaceCheckpoint(assignment.ResumeCheckpoint, files);
                else if (File.Exists(files.LastCheckpoint))
                    log.StartingOver(attempt.Key.ToString(), files.LastCheckpoint);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return new AttemptOutcome(RunExitReason.Failed, OneLine(e.Message), "");
            }
        }

        ProcessGroup? group = null;
        try
        {
            group = assignment.WorldSize > 1
                ? PeerGroup.JoinAsync(assignment.Rank, [.. assignment.PeerEndpoints], assignment.JobSecret, collectives, ct).GetAwaiter().GetResult()
                : ProcessGroup.Single();
            var services = new TrainerServices
            {
                Group = group,
                Logger = loggers.CreateLogger("asl-worker.train"),
                Time = time,
                Observers = root ? [new ConsoleProgressObserver(output), observer] : [observer],
                Control = attempt.Control,
                SweepId = assignment.SweepId,
                TrialId = assignment.TrialId,
            };
            using var run = TrainingRun.Create(config, services, ct);
            var summary = run.Trainer.Run(resume, ct);
            return new AttemptOutcome(summary.ExitReason, summary.StopReason ?? "", root ? summary.LastCheckpoint : "");
        }
        catch (OperationCanceledException)
        {
            return Ended(RunExitReason.Interrupted, attempt.CancelReason ?? "interrupted");
        }
        catch (CollectiveException) when (ct.IsCancellationRequested)
        {
            // A peer that stopped first on the same order is no lost peer: this rank was stopped too.
            return Ended(RunExitReason.Interrupted, attempt.CancelReason ?? "interrupted");
        }
        catch (CollectiveException e)
        {
            return Ended(RunExitReason.PeerLost, e.Message);
        }
        catch (ConfigException e)
        {
            return Ended(RunExitReason.InvalidConfig, e.Message);
        }
        catch (Exception e)
        {
            log.AttemptFailureDetail(attempt.Key.ToString(), e);
            return Ended(RunExitReason.Failed, e.Message);
        }
        finally
        {
            // The peer port must be free before the next attempt binds it.
            group?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        AttemptOutcome Ended(RunExitReason reason, string message) =>
            new(reason, OneLine(message), root ? attempt.LastCheckpoint ?? (resume ? files.LastCheckpoint : "") : "");
    }

    /// <summary>
    /// The assignment's config as this rank runs it, checked as <c>asl-worker train</c> checks a config; a problem with
    /// the assignment itself is named by its field, a problem with the config by its key.
    /// </summary>
    public static TrainingConfig Resolve(TrialAssignment assignment)
    {
        var problems = new List<ConfigProblem>();
        if (assignment.OutputDir.Length == 0)
            problems.Add(new ConfigProblem("output_dir", "the assignment names no output folder; allowed: the trial's output folder"));
        if (assignment.WorldSize < 1)
            problems.Add(new ConfigProblem("world_size", $"{assignment.WorldSize}; allowed: an integer >= 1"));
        else if (assignment.Rank < 0 || assignment.Rank >= assignment.WorldSize)
            problems.Add(new ConfigProblem("rank", $"{assignment.Rank} is out of range; allowed: 0 to {assignment.WorldSize - 1} for world_size {assignment.WorldSize}"));
        if (assignment.WorldSize > 1 && assignment.PeerEndpoints.Count != assignment.WorldSize)
            problems.Add(new ConfigProblem("peer_endpoints", $"lists {assignment.PeerEndpoints.Count} endpoint(s) for world_size {assignment.WorldSize}; allowed: one host:port per rank"));
        if (assignment.WorldSize > 1 && assignment.JobSecret.Length == 0)
            problems.Add(new ConfigProblem("job_secret", "empty; allowed: the attempt's shared secret, the same on every rank"));
        if (problems.Count > 0)
            throw new ConfigException(problems);

        var config = TrainingConfigLoader.Parse(assignment.ConfigYaml, source: $"the config of trial {assignment.TrialId}");
        config.Output.Dir = assignment.OutputDir;
        config.Validate();
        TrainingRun.RankBatchSize(config.Run.BatchSize, assignment.WorldSize);
        return config;
    }

    /// <summary>
    /// Puts the checkpoint to resume from where the trainer resumes: the run folder's last.ckpt (copied there
    /// atomically when the assignment names another file).
    /// </summary>
    private static void PlaceCheckpoint(string checkpoint, RunFiles files)
    {
        string source = Path.GetFullPath(checkpoint);
        string target = Path.GetFullPath(files.LastCheckpoint);
        if (!File.Exists(source))
            throw new FileNotFoundException($"resume_checkpoint '{checkpoint}' does not exist on this worker");
        if (source == target)
            return;
        Directory.CreateDirectory(files.Folder);
        File.Copy(source, target + ".tmp", overwrite: true);
        File.Move(target + ".tmp", target, overwrite: true);
    }

    /// <summary>A message on one line, as a failure reason is recorded.</summary>
    public static string OneLine(string message) =>
        string.Join("; ", message.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)).Replace(":; ", ": ", StringComparison.Ordinal);
}
