using Asl.Distributed.Runs;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Asl.Distributed.Training.Loop;
using Asl.Distributed.Worker.Launching;

namespace Asl.Distributed.Worker.Tests;

/// <summary>
/// The <c>--nproc</c> launcher and its ranks as real asl-worker processes (issue 15, section 7): a rank killed with
/// SIGKILL, SIGTERM to a launcher started as a script's background job, a launcher killed with SIGKILL, and a rank
/// whose launcher pipe closes.
/// </summary>
public sealed partial class LaunchedJobTests : IDisposable
{
    /// <summary>Only guards against waiting forever; nothing here is expected to take long.</summary>
    private static readonly TimeSpan HangLimit = TimeSpan.FromMinutes(3);

    /// <summary>Far more epochs than any test lets run: a run that reaches its end was not stopped.</summary>
    private const int Epochs = 1000;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"asl-launch-{Guid.NewGuid():N}");

    public LaunchedJobTests()
    {
        Directory.CreateDirectory(_folder);
        // 240 training images in global batches of 12: 20 steps per epoch, an epoch in about a second on 2 ranks.
        // The collective timeout is the default 60 s: the launcher's grace period is that plus 10 s, so a rank that is
        // slow to stop on a loaded machine is not killed, and a starved rank is not taken for lost.
        File.WriteAllText(ConfigPath, $"""
            seed: 7
            data:
              kind: synthetic-shapes
              root: {Path.Combine(_folder, "shapes")}
              synthetic: {"{"}classes: 6, train_images: 240, val_images: 24, image_size: 32, missing_label_fraction: 0.2{"}"}
            model: {"{"}name: mlp{"}"}
            image: {"{"}size: 32{"}"}
            loss: {"{"}preset: asl-coco{"}"}
            optimizer: {"{"}lr: 0.001{"}"}
            schedule: {"{"}epochs: {Epochs}, stop_epoch: 0{"}"}
            run: {"{"}batch_size: 12, ema_decay: 0.9, threads: 1, loader_workers: 1{"}"}
            distributed: {"{"}timeout_s: 60, rendezvous_timeout_s: 60, bucket_mb: 0.05{"}"}
            output: {"{"}dir: {RunFolder}{"}"}
            """);
    }

    private string ConfigPath => Path.Combine(_folder, "train.yaml");

    private string RunFolder => Path.Combine(_folder, "run");

    private string LastCheckpoint => Path.Combine(RunFolder, "last.ckpt");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Train_NprocTwoAndOneRankKilledBySigKill_LauncherExits3NamingTheRankAndTheSignal()
    {
        using var launcher = new ObservedProcess(ObservedProcess.Worker("train", ConfigPath, "--nproc", "2"));
        var ranks = StartedRanks(launcher);
        try
        {
            launcher.WaitForLine(l => l.StartsWith("epoch 1/", StringComparison.Ordinal) && l.Contains(" done: ", StringComparison.Ordinal), HangLimit);

            UnixProcesses.Send(ranks[1], UnixProcesses.SigKill);

            int exit = launcher.WaitForExit(HangLimit);
            Assert.True(exit == RunExitCodes.PeerLost, $"exit {exit}\n{launcher.Output}\n{launcher.Error}");
            string killed = $"rank 1 (pid {ranks[1]}) was killed by SIGKILL (exit code 137)";
            Assert.Contains($"asl-worker: {killed}", launcher.ErrorLines);
            Assert.Contains(launcher.ErrorLines, l => l.StartsWith("[rank 0] ", StringComparison.Ordinal) && l.Contains("lost rank 1", StringComparison.Ordinal));
            // Detected by the broken connections, not by the collective timeout.
            Assert.DoesNotContain(launcher.ErrorLines, l => l.Contains("not even a heartbeat", StringComparison.Ordinal));
            string verdict = launcher.ErrorLines[^1];
            Assert.StartsWith("asl-worker: exit code 3, a peer was lost: ", verdict);
            Assert.Contains(killed, verdict);
            Assert.Contains($"rank 0 (pid {ranks[0]}) exited with code 3 (lost a peer)", verdict);
            Assert.InRange(CheckpointFile.ReadState(LastCheckpoint).Epoch, 1, Epochs - 1);
        }
        finally
        {
            KillIfRunning(ranks);
        }
    }

    [Fact]
    public void Train_NprocTwoInAScriptsBackgroundJobSentSigTerm_RanksStopAtASafePointExit130AndTheRunResumes()
    {
        // As a script starts it: a background job of a non-interactive shell, which starts with SIGINT ignored.
        var start = new ProcessStartInfo("bash");
        foreach (string arg in new[]
        {
            "-c", "dotnet \"$0\" train \"$1\" --nproc 2 & echo \"launcher $!\"; wait $!",
            Path.Combine(AppContext.BaseDirectory, "asl-worker.dll"), ConfigPath,
        })
        {
            start.ArgumentList.Add(arg);
        }
        using var script = new ObservedProcess(start);
        int launcherPid = int.Parse(script.WaitForLine(l => l.StartsWith("launcher ", StringComparison.Ordinal), HangLimit)["launcher ".Length..],
            CultureInfo.InvariantCulture);
        var ranks = StartedRanks(script);
        try
        {
            script.WaitForLine(l => l.StartsWith("epoch 1/", StringComparison.Ordinal) && l.Contains(" done: ", StringComparison.Ordinal), HangLimit);
            // The scenario of the issue: the ranks inherited SIGINT as ignored, so SIGINT could not stop them.
            Assert.All(ranks, pid => Assert.True(UnixProcesses.Ignores(pid, UnixProcesses.SigInt), $"rank pid {pid} does not ignore SIGINT"));

            UnixProcesses.Send(launcherPid, UnixProcesses.SigTerm);

            int exit = script.WaitForExit(HangLimit); // bash exits with the launcher's code
            Assert.True(exit == RunExitCodes.Interrupted, $"exit {exit}\n{script.Output}\n{script.Error}");
            Assert.Contains($"asl-worker: interrupted; sending SIGTERM to rank 0 (pid {ranks[0]}), rank 1 (pid {ranks[1]})", script.ErrorLines);
            Assert.DoesNotContain(script.ErrorLines, l => l.StartsWith("asl-worker: killing", StringComparison.Ordinal));
            // Each rank stopped by itself: interrupted, or (when its peer stopped first) lost that peer.
            foreach (int r in new[] { 0, 1 })
            {
                Assert.Single(script.ErrorLines, l => Regex.IsMatch(l, $@"^asl-worker: rank {r} \(pid {ranks[r]}\) exited with code (130 \(interrupted\)|3 \(lost a peer\))$"));
            }
            Assert.Contains(script.ErrorLines, l => l.EndsWith("exited with code 130 (interrupted)", StringComparison.Ordinal));
            Assert.StartsWith("asl-worker: exit code 130, interrupted: ", script.ErrorLines[^1]);
        }
        finally
        {
            KillIfRunning(ranks);
        }

        // The last checkpoint is intact and agrees with the metrics; a resumed run continues from it and completes (exit 0).
        int epoch = CheckpointFile.ReadState(LastCheckpoint).Epoch;
        Assert.InRange(epoch, 1, Epochs - 1);
        Assert.Equal(epoch, File.ReadAllLines(Path.Combine(RunFolder, "metrics.jsonl")).Length);
        using var resumed = new ObservedProcess(ObservedProcess.Worker("train", ConfigPath, "--resume", $"schedule.stop_epoch={epoch + 1}", "--nproc", "2"));
        int resumedExit = resumed.WaitForExit(HangLimit);
        Assert.True(resumedExit == RunExitCodes.Completed, $"exit {resumedExit}\n{resumed.Output}\n{resumed.Error}");
        Assert.Contains($"resuming after epoch {epoch}", resumed.Output);
        Assert.Equal(epoch + 1, CheckpointFile.ReadState(LastCheckpoint).Epoch);
    }

    [Fact]
    public void Train_NprocTwoAndTheLauncherKilledBySigKill_TheRanksStopAndLeaveTheCheckpointIntact()
    {
        using var launcher = new ObservedProcess(ObservedProcess.Worker("train", ConfigPath, "--nproc", "2"));
        var ranks = StartedRanks(launcher);
        try
        {
            launcher.WaitForLine(l => l.StartsWith("epoch 1/", StringComparison.Ordinal) && l.Contains(" done: ", StringComparison.Ordinal), HangLimit);

            UnixProcesses.Send(launcher.Id, UnixProcesses.SigKill);

            // Without the watch they would train on for the rest of the 1000 epochs.
            foreach (int pid in ranks)
                Assert.True(UnixProcesses.WaitUntilGone(pid, HangLimit), $"rank pid {pid} still runs {HangLimit} after its launcher was killed");
            Assert.InRange(CheckpointFile.ReadState(LastCheckpoint).Epoch, 1, Epochs - 1);
        }
        finally
        {
            KillIfRunning(ranks);
        }
    }

    [Fact]
    public void Train_LaunchedRankWhoseLauncherPipeCloses_SaysWhyStopsWithTheCheckpointIntactAndExits130()
    {
        // The test plays the launcher: the rank's standard input is a pipe from it, and it names itself.
        var start = ObservedProcess.Worker("train", ConfigPath);
        start.RedirectStandardInput = true;
        start.Environment[LauncherWatch.LauncherPidVariable] = $"{Environment.ProcessId}";
        using var rank = new ObservedProcess(start);
        rank.WaitForLine(l => l.StartsWith("epoch 1/", StringComparison.Ordinal) && l.Contains(" done: ", StringComparison.Ordinal), HangLimit);

        rank.CloseStandardInput(); // what the kernel does for a launcher that dies

        int exit = rank.WaitForExit(HangLimit);
        Assert.True(exit == RunExitCodes.Interrupted, $"exit {exit}\n{rank.Output}\n{rank.Error}");
        Assert.Equal(
            [$"asl-worker: warning: the launcher (pid {Environment.ProcessId}) is gone; stopping at the next safe point",
             $"asl-worker: interrupted; the last checkpoint {LastCheckpoint} is intact; continue with --resume"],
            rank.ErrorLines.Where(l => l.StartsWith("asl-worker: ", StringComparison.Ordinal)));
        int epoch = CheckpointFile.ReadState(LastCheckpoint).Epoch;
        Assert.InRange(epoch, 1, Epochs - 1);
        Assert.Equal(epoch, File.ReadAllLines(Path.Combine(RunFolder, "metrics.jsonl")).Length);
    }

    [Fact]
    public void Train_StandardInputClosedWithoutALauncher_TrainsToTheEnd()
    {
        // Only a launched rank watches its input: `asl-worker train ... < /dev/null` is an ordinary run.
        var start = ObservedProcess.Worker("train", ConfigPath, "schedule.epochs=2");
        start.RedirectStandardInput = true;
        start.Environment.Remove(LauncherWatch.LauncherPidVariable);
        using var worker = new ObservedProcess(start);
        worker.CloseStandardInput();

        int exit = worker.WaitForExit(HangLimit);
        Assert.True(exit == RunExitCodes.Completed, $"exit {exit}\n{worker.Output}\n{worker.Error}");
        Assert.Equal(2, CheckpointFile.ReadState(LastCheckpoint).Epoch);
    }

    [Fact]
    public void Train_LauncherPidNotAProcessId_Exits2NamingTheVariable()
    {
        var start = ObservedProcess.Worker("train", ConfigPath);
        start.Environment[LauncherWatch.LauncherPidVariable] = "12ab";
        using var worker = new ObservedProcess(start);

        int exit = worker.WaitForExit(HangLimit);
        Assert.Equal(RunExitCodes.InvalidConfig, exit);
        Assert.Contains("ASL_LAUNCHER_PID '12ab' is not a process id", worker.Error);
        Assert.False(File.Exists(LastCheckpoint));
    }

    /// <summary>The ranks' pids from the launcher's "started" line.</summary>
    private static int[] StartedRanks(ObservedProcess launcher)
    {
        var match = StartedLine().Match(launcher.WaitForLine(l => StartedLine().IsMatch(l), HangLimit));
        return [int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture)];
    }

    /// <summary>Leaves no rank behind when a test fails; they are this test's own descendants.</summary>
    private static void KillIfRunning(IEnumerable<int> pids)
    {
        foreach (int pid in pids.Where(UnixProcesses.IsRunning))
        {
            try
            {
                Process.GetProcessById(pid).Kill();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                // it ended meanwhile
            }
        }
    }

    [GeneratedRegex(@"^asl-worker: started rank 0 \(pid (\d+)\), rank 1 \(pid (\d+)\)$")]
    private static partial Regex StartedLine();
}
