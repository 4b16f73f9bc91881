using Asl.Distributed.Configuration;
using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Training.Collectives;
using Asl.Distributed.Training.Data;
using Asl.Distributed.Training.Images;
using Asl.Distributed.Training.Loading;
using Asl.Distributed.Training.Loop;
using Asl.Distributed.Training.Runs;
using Asl.Distributed.Worker.Launching;

namespace Asl.Distributed.Worker;

/// <summary>
/// <c>asl-worker</c>: <c>train CONFIG.yaml [section.key=value ...] [--resume] [--nproc N | --rank R --world-size N --peers ...]</c>
/// trains one model, on this process or data-parallel over several ranks.
/// Exit codes: 0 done, 1 the run failed (bad data, non-finite loss, unusable checkpoint), 2 bad command line or
/// config (nothing started), 3 a peer rank was lost (the last checkpoint is intact; rerun with --resume),
/// 130 interrupted (the last checkpoint is intact; rerun with --resume).
/// </summary>
public static class WorkerCommandLine
{
    /// <summary>Exit code of a data-parallel rank that lost a peer.</summary>
    public const int LostPeerExitCode = 3;

    public static int Run(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
        {
            output.WriteLine(TrainArguments.Usage);
            output.WriteLine("  trains as the config says; overrides replace config values, e.g. loss.gamma_neg=2 run.batch_size=64");
            output.WriteLine("  --resume continues from output.dir/last.ckpt exactly where the run stopped");
            output.WriteLine("  --nproc N trains data-parallel on N local processes (run.batch_size is the global batch)");
            output.WriteLine("  --rank R --world-size N --peers HOST:PORT,... joins a job of N ranks started by hand;");
            output.WriteLine($"    every rank needs the same secret in ${LocalLauncher.SecretVariable}");
            return args.Length == 0 ? 2 : 0;
        }
        if (args[0] != "train" || args.Length < 2)
        {
            error.WriteLine($"asl-worker: unknown command '{string.Join(' ', args)}'; {TrainArguments.Usage}");
            return 2;
        }

        TrainArguments train;
        TrainingConfig config;
        CollectiveOptions collectives;
        try
        {
            train = TrainArguments.Parse(args[1..]);
            config = TrainingConfigLoader.Load(train.ConfigPath, train.Overrides);
            TrainingRun.RankBatchSize(config.Run.BatchSize, Math.Max(train.ProcessCount, train.WorldSize));
            collectives = DistributedSettings.ToOptions(config.Distributed);
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"asl-worker: {e.Message}; {TrainArguments.Usage}");
            return 2;
        }
        catch (ConfigException e)
        {
            error.WriteLine($"asl-worker: config error: {e.Message}");
            return 2;
        }

        var files = new RunFiles(config.Output.Dir);
        if (!train.Resume && File.Exists(files.LastCheckpoint))
        {
            error.WriteLine($"asl-worker: {files.Folder} already holds a run (last.ckpt); pass --resume to continue it or set output.dir to a new folder");
            return 2;
        }
        string secret = Environment.GetEnvironmentVariable(LocalLauncher.SecretVariable) ?? "";
        if (train.WorldSize > 1 && secret.Length == 0)
        {
            error.WriteLine($"asl-worker: set {LocalLauncher.SecretVariable} to the job's secret, the same on every rank (for example: openssl rand -hex 32)");
            return 2;
        }
        if (train.Launches)
        {
            // Survivors detect the lost peer themselves within the collective timeout; give them that long to exit cleanly.
            var grace = TimeSpan.FromSeconds(config.Distributed.TimeoutS + 10);
            return LocalLauncher.Run(LocalLauncher.ChildCommandOfThisProcess(), train.RankArguments(),
                new LaunchOptions(train.ProcessCount, grace), output, error, cancellationToken);
        }

        try
        {
            using var group = train.WorldSize > 1
                ? new GroupScope(PeerGroup.JoinAsync(train.Rank, train.Peers, secret, collectives, cancellationToken).GetAwaiter().GetResult())
                : new GroupScope(ProcessGroup.Single());
            if (train.WorldSize > 1)
                output.WriteLine($"rank {train.Rank} of {train.WorldSize} joined the ring ({train.Peers[train.Rank]})");
            using var run = TrainingRun.Create(config, output, cancellationToken, group.Group);
            var summary = run.Trainer.Run(train.Resume, cancellationToken);
            if (group.Group.IsRoot)
            {
                output.WriteLine($"done: {summary.EpochsCompleted} epochs, best mAP {summary.BestMap:F2} at epoch {summary.BestEpoch}; " +
                    $"best checkpoint {summary.BestCheckpoint}, summary {files.Summary}");
            }
            return 0;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine($"asl-worker: interrupted; the last checkpoint in {files.Folder} is intact, continue with --resume");
            return 130;
        }
        catch (CollectiveException e)
        {
            error.WriteLine($"asl-worker: {e.Message}; the last checkpoint in {files.Folder} is intact, restart every rank with --resume");
            return LostPeerExitCode;
        }
        catch (Exception e) when (e is DataSetException or SampleLoadException or ImageDecodeException or NonFiniteLossException
            or CheckpointException or ConfigException or NotSupportedException)
        {
            error.WriteLine($"asl-worker: {e.Message}");
            return 1;
        }
    }

    /// <summary>Disposes the group synchronously at the end of the run (closing streams and the server).</summary>
    private sealed class GroupScope(ProcessGroup group) : IDisposable
    {
        public ProcessGroup Group { get; } = group;

        public void Dispose() => Group.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
