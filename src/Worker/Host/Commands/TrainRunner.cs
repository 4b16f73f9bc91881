using Asl.Distributed.Configuration;
using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Reports;
using Asl.Distributed.Runs;
using Asl.Distributed.Training.Collectives;
using Asl.Distributed.Training.Devices;
using Asl.Distributed.Training.Events;
using Asl.Distributed.Training.Loop;
using Asl.Distributed.Training.Runs;
using Asl.Distributed.Worker.Launching;
using Asl.Distributed.Worker.Progress;
using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Worker.Commands;

/// <summary>
/// Runs <c>asl-worker train</c> once its arguments parsed: loads and checks the config, launches local ranks or
/// joins a job, trains, and turns how the run ended into the exit code of <see cref="RunExitCodes"/>. Nothing
/// escapes as an unhandled exception: an unexpected error ends the run with exit code 1 and one line naming where.
/// </summary>
internal sealed class TrainRunner(TextWriter output, TextWriter error, ILoggerFactory loggers, TimeProvider time)
{
    private readonly WorkerLog _log = new(loggers.CreateLogger("asl-worker"));

    public int Run(TrainArguments train, CancellationToken cancellationToken)
    {
        TrainingConfig config;
        CollectiveOptions collectives;
        try
        {
            config = TrainingConfigLoader.Load(train.ConfigPath, train.Overrides);
            TrainingRun.RankBatchSize(config.Run.BatchSize, Math.Max(train.ProcessCount, train.WorldSize));
            collectives = DistributedSettings.ToOptions(config.Distributed);
            // Before any work, on the launcher too: a device this process cannot have is a config error.
            DeviceResolver.ForThisProcess(config.Run.Device, Math.Max(train.Rank, 0));
        }
        catch (ConfigException e)
        {
            _log.ConfigError(e.Message);
            return RunExitCodes.InvalidConfig;
        }

        var files = new RunFiles(config.Output.Dir);
        if (!train.Resume && File.Exists(files.LastCheckpoint))
        {
            _log.Refused($"{files.Folder} already holds a run (last.ckpt); pass --resume to continue it or set output.dir to a new folder");
            return RunExitCodes.InvalidConfig;
        }
        string secret = Environment.GetEnvironmentVariable(LocalLauncher.SecretVariable) ?? "";
        if (train.WorldSize > 1 && secret.Length == 0)
        {
            _log.Refused($"set {LocalLauncher.SecretVariable} to the job's secret, the same on every rank (for example: openssl rand -hex 32)");
            return RunExitCodes.InvalidConfig;
        }
        if (train.Launches)
        {
            // Survivors detect the lost peer themselves within the collective timeout; give them that long to exit cleanly.
            var grace = TimeSpan.FromSeconds(config.Distributed.TimeoutS + 10);
            return LocalLauncher.Run(LocalLauncher.ChildCommandOfThisProcess(), train.RankArguments(),
                new LaunchOptions(train.ProcessCount, grace) { Time = time }, output, error, cancellationToken, loggers.CreateLogger("asl-worker.launcher"));
        }
        return Train(train, config, collectives, secret, files, cancellationToken);
    }

    private int Train(TrainArguments train, TrainingConfig config, CollectiveOptions collectives, string secret, RunFiles files, CancellationToken cancellationToken)
    {
        ProcessGroup? group = null;
        try
        {
            group = train.WorldSize > 1
                ? PeerGroup.JoinAsync(train.Rank, train.Peers, secret, collectives, cancellationToken).GetAwaiter().GetResult()
                : ProcessGroup.Single();
            if (train.WorldSize > 1)
                _log.Joined(train.Rank, train.WorldSize, train.Peers[train.Rank]);
            var services = new TrainerServices
            {
                Group = group,
                Logger = loggers.CreateLogger("asl-worker.train"),
                Time = time,
                Observers = group.IsRoot ? [new ConsoleProgressObserver(output)] : [],
            };
            using var run = TrainingRun.Create(config, services, cancellationToken);
            var summary = run.Trainer.Run(train.Resume, cancellationToken);
            if (!group.IsRoot)
                return RunExitCodes.Of(summary.ExitReason);
            if (summary.ExitReason == RunExitReason.Stopped)
                _log.Stopped(summary.EpochsCompleted, summary.StopReason ?? "", ResumeHint(files));
            WriteReport(summary, Path.Combine(files.Folder, "report"));
            return RunExitCodes.Of(summary.ExitReason);
        }
        catch (OperationCanceledException)
        {
            _log.Interrupted(ResumeHint(files));
            return RunExitCodes.Interrupted;
        }
        catch (CollectiveException) when (cancellationToken.IsCancellationRequested)
        {
            // A peer that stopped first on the same signal is no lost peer: this rank was interrupted too.
            _log.Interrupted(ResumeHint(files, everyRank: true));
            return RunExitCodes.Interrupted;
        }
        catch (CollectiveException e)
        {
            _log.PeerLost(e.Message, ResumeHint(files, everyRank: true));
            return RunExitCodes.PeerLost;
        }
        catch (Exception e)
        {
            _log.Failed(e.Message);
            _log.FailureDetail(e);
            return RunExitCodes.Failed;
        }
        finally
        {
            group?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>The run's report (curves, per-class AP) into its output folder; one that cannot be drawn is said and fails nothing.</summary>
    private void WriteReport(TrainingSummary summary, string folder)
    {
        try
        {
            RunReport.Write(summary.Epochs, summary.ClassNames ?? [], folder);
            _log.Report(Path.Combine(folder, "index.html"));
        }
        catch (ReportException e)
        {
            _log.NoReport(e.Message);
        }
    }

    /// <summary>What a rerun can continue from: the intact last checkpoint, or (before the first one) nothing.</summary>
    private static string ResumeHint(RunFiles files, bool everyRank = false) => File.Exists(files.LastCheckpoint)
        ? $"the last checkpoint {files.LastCheckpoint} is intact; continue with --resume{(everyRank ? " on every rank" : "")}"
        : $"no checkpoint was written yet; start the run again{(everyRank ? " on every rank" : "")}";
}
