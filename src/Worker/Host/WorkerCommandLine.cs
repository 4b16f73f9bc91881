using Asl.Distributed.Configuration;
using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Training.Data;
using Asl.Distributed.Training.Images;
using Asl.Distributed.Training.Loading;
using Asl.Distributed.Training.Loop;
using Asl.Distributed.Training.Runs;

namespace Asl.Distributed.Worker;

/// <summary>
/// <c>asl-worker</c>: <c>train CONFIG.yaml [section.key=value ...] [--resume]</c> trains one model on this machine.
/// Exit codes: 0 done, 1 the run failed (bad data, non-finite loss, unusable checkpoint), 2 bad command line or
/// config (nothing started), 130 interrupted (the last checkpoint is intact; rerun with --resume).
/// </summary>
public static class WorkerCommandLine
{
    public static int Run(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
        {
            output.WriteLine("usage: asl-worker train CONFIG.yaml [section.key=value ...] [--resume]");
            output.WriteLine("  trains as the config says; overrides replace config values, e.g. loss.gamma_neg=2 run.batch_size=64");
            output.WriteLine("  --resume continues from output.dir/last.ckpt exactly where the run stopped");
            return args.Length == 0 ? 2 : 0;
        }
        if (args[0] != "train" || args.Length < 2)
        {
            error.WriteLine($"asl-worker: unknown command '{string.Join(' ', args)}'; allowed: train CONFIG.yaml [overrides] [--resume]");
            return 2;
        }

        bool resume = args.Contains("--resume");
        var unknownFlag = args.Skip(2).FirstOrDefault(a => a.StartsWith("--", StringComparison.Ordinal) && a != "--resume");
        if (unknownFlag is not null)
        {
            error.WriteLine($"asl-worker: unknown option '{unknownFlag}'; allowed: --resume");
            return 2;
        }
        TrainingConfig config;
        try
        {
            config = TrainingConfigLoader.Load(args[1], args.Skip(2).Where(a => !a.StartsWith("--", StringComparison.Ordinal)));
        }
        catch (ConfigException e)
        {
            error.WriteLine($"asl-worker: config error: {e.Message}");
            return 2;
        }

        var files = new RunFiles(config.Output.Dir);
        if (!resume && File.Exists(files.LastCheckpoint))
        {
            error.WriteLine($"asl-worker: {files.Folder} already holds a run (last.ckpt); pass --resume to continue it or set output.dir to a new folder");
            return 2;
        }

        try
        {
            using var run = TrainingRun.Create(config, output, cancellationToken);
            var summary = run.Trainer.Run(resume, cancellationToken);
            output.WriteLine($"done: {summary.EpochsCompleted} epochs, best mAP {summary.BestMap:F2} at epoch {summary.BestEpoch}; " +
                $"best checkpoint {summary.BestCheckpoint}, summary {files.Summary}");
            return 0;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine($"asl-worker: interrupted; the last checkpoint in {files.Folder} is intact, continue with --resume");
            return 130;
        }
        catch (Exception e) when (e is DataSetException or SampleLoadException or ImageDecodeException or NonFiniteLossException
            or CheckpointException or ConfigException or NotSupportedException)
        {
            error.WriteLine($"asl-worker: {e.Message}");
            return 1;
        }
    }
}
