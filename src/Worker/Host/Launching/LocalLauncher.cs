using Asl.Distributed.Runs;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Asl.Distributed.Training.Collectives;
using Asl.Distributed.Worker.Logging;
using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Worker.Launching;

/// <summary>How <see cref="LocalLauncher"/> starts and stops its ranks.</summary>
/// <param name="ProcessCount">How many local ranks to start, 1 to <see cref="LocalLauncher.MaxProcessCount"/>.</param>
/// <param name="GracePeriod">How long the surviving ranks may take to exit on their own after the first rank failed
/// (or after SIGTERM on cancellation) before they are killed with their whole process tree.</param>
public sealed record LaunchOptions(int ProcessCount, TimeSpan GracePeriod)
{
    /// <summary>The clock of the grace period.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// The torchrun-like local launcher: starts <see cref="LaunchOptions.ProcessCount"/> ranks of one command on this machine,
/// each with <c>--rank r --world-size N --peers 127.0.0.1:p0,...</c> appended, the job secret in
/// <see cref="SecretVariable"/>, this process's id in <see cref="LauncherWatch.LauncherPidVariable"/> and a pipe from it as
/// standard input (so a rank stops when the launcher is gone), streams their output line by line, and stops them all
/// when one fails or on cancellation (SIGTERM, then a kill after the grace period).
/// Exit code: <see cref="LaunchVerdict.Decide"/> over the ranks' outcomes (0 done, the first rank's own failure,
/// 130 interrupted, 3 a rank lost); 1 when a rank could not be started.
/// </summary>
public static class LocalLauncher
{
    public const string SecretVariable = "ASL_JOB_SECRET";
    public const int MaxProcessCount = 256;

    private const int SigTerm = 15;
    private const int SigKillExitCode = 128 + 9;
    private static readonly TimeSpan OutputDrainLimit = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Runs the job; the ranks' lines go to <paramref name="output"/> and <paramref name="error"/>, the launcher's own
    /// notes to <paramref name="logger"/> (by default, the same writers).
    /// </summary>
    public static int Run(IReadOnlyList<string> childCommand, IReadOnlyList<string> rankArgs, LaunchOptions options,
        TextWriter output, TextWriter error, CancellationToken cancellationToken, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(childCommand);
        ArgumentNullException.ThrowIfNull(rankArgs);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (childCommand.Count == 0 || string.IsNullOrEmpty(childCommand[0]))
            throw new ArgumentException("the child command needs at least an executable", nameof(childCommand));
        if (options.ProcessCount is < 1 or > MaxProcessCount)
            throw new ArgumentOutOfRangeException(nameof(options), options.ProcessCount,
                $"ProcessCount must be between 1 and {MaxProcessCount}");
        if (options.GracePeriod < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options), options.GracePeriod, "GracePeriod must not be negative");

        var gate = new object();
        // Every write, the ranks' lines and the launcher's notes alike, happens under the gate: lines never mix.
        var log = new LauncherLog(logger ?? new TextWriterLoggerProvider(output, error, "asl-worker").CreateLogger("launcher"));
        if (cancellationToken.IsCancellationRequested)
        {
            lock (gate) log.InterruptedBeforeStart();
            return RunExitCodes.Interrupted;
        }

        int count = options.ProcessCount;
        int[] ports = FreeLoopbackPorts(count);
        string peers = string.Join(',', ports.Select(p => $"127.0.0.1:{p}"));
        string secret = NewSecret();
        lock (gate)
            log.Starting(count, childCommand[0], string.Join(',', ports));

        var ranks = new List<LaunchedRank>(count);
        try
        {
            for (int r = 0; r < count; r++)
            {
                var start = StartInfo(childCommand, rankArgs, r, count, peers, secret);
                Process process;
                try
                {
                    process = Process.Start(start) ?? throw new InvalidOperationException("Process.Start returned no process");
                }
                catch (Exception e) when (e is Win32Exception or InvalidOperationException)
                {
                    lock (gate)
                        log.CannotStart(r, string.Join(' ', childCommand), e.Message);
                    KillAll(ranks);
                    return RunExitCodes.Failed;
                }
                ranks.Add(new LaunchedRank(r, process, output, error, gate));
            }
            lock (gate)
                log.Started(Describe(ranks));
            return Supervise(ranks, options, log, gate, cancellationToken);
        }
        finally
        {
            WaitQuietly(ranks.SelectMany(r => r.Pumps), OutputDrainLimit);
            foreach (var rank in ranks)
                rank.Process.Dispose();
        }
    }

    /// <summary>The command that starts this executable again: its own path, or the <c>dotnet</c> host and the entry assembly.</summary>
    public static IReadOnlyList<string> ChildCommandOfThisProcess()
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this process is unknown");
        if (!Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            return [host];
        string? assembly = Assembly.GetEntryAssembly()?.Location;
        if (string.IsNullOrEmpty(assembly))
            assembly = Environment.GetCommandLineArgs()[0];
        return [host, assembly];
    }

    /// <summary>Distinct free ports on 127.0.0.1 (see <see cref="LoopbackPorts.Free"/>).</summary>
    public static int[] FreeLoopbackPorts(int count) => LoopbackPorts.Free(count);

    /// <summary>32 random bytes as 64 lower-case hex digits.</summary>
    public static string NewSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    private static ProcessStartInfo StartInfo(IReadOnlyList<string> childCommand, IReadOnlyList<string> rankArgs,
        int rank, int count, string peers, string secret)
    {
        var start = new ProcessStartInfo(childCommand[0])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
            // The rank watches this pipe: it reads end-of-file when the launcher is gone, even after a SIGKILL.
            RedirectStandardInput = true,
        };
        foreach (string arg in childCommand.Skip(1).Concat(rankArgs))
            start.ArgumentList.Add(arg);
        foreach (string arg in new[] { "--rank", $"{rank}", "--world-size", $"{count}", "--peers", peers })
            start.ArgumentList.Add(arg);
        start.Environment[SecretVariable] = secret;
        // As torchrun does: every rank of this host knows its index here, which picks its CUDA device (run.device: cuda).
        start.Environment[Asl.Distributed.Training.Devices.LocalRank.Variable] = rank.ToString(CultureInfo.InvariantCulture);
        start.Environment[LauncherWatch.LauncherPidVariable] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        return start;
    }

    private static int Supervise(List<LaunchedRank> ranks, LaunchOptions options, LauncherLog log, object gate, CancellationToken cancellationToken)
    {
        var running = new List<LaunchedRank>(ranks);
        var outcomes = new List<RankOutcome>(ranks.Count);
        var cancelled = Task.Delay(Timeout.Infinite, cancellationToken);
        bool stopRequested = false;
        // The grace period starts at the first failure or stop, on the launcher's clock; it ends the wait below.
        Task? graceOver = null;
        string graceReason = "";

        while (running.Count > 0)
        {
            var waits = running.Select(r => r.Exited).ToList();
            if (!stopRequested)
                waits.Add(cancelled);
            if (graceOver is not null)
                waits.Add(graceOver);
            int index = Task.WaitAny([.. waits]);
            if (waits[index] == graceOver)
                break;

            if (waits[index] == cancelled)
            {
                stopRequested = true;
                lock (gate)
                    log.Stopping(Describe(running));
                foreach (var rank in running)
                    Terminate(rank.Process);
                if (graceOver is null)
                    (graceOver, graceReason) = (Task.Delay(options.GracePeriod, options.Time), "SIGTERM");
                continue;
            }

            foreach (var rank in running.Where(r => r.Exited.IsCompleted).ToList())
            {
                running.Remove(rank);
                var outcome = rank.Outcome();
                outcomes.Add(outcome);
                if (outcome.End == RankEnd.Completed)
                    continue;
                WaitQuietly(rank.Pumps, TimeSpan.FromSeconds(1)); // its last words before the launcher's
                lock (gate)
                    log.RankEnded(outcome.Describe());
                if (graceOver is null)
                    (graceOver, graceReason) = (Task.Delay(options.GracePeriod, options.Time), $"rank {rank.Index} failed");
            }
        }

        if (running.Count > 0)
        {
            lock (gate)
                log.Killing(Describe(running), Math.Round(options.GracePeriod.TotalSeconds, 3), graceReason);
            KillAll(running);
            // One that ended on its own just before the kill keeps its own outcome.
            outcomes.AddRange(running.Select(r => r.Outcome(killedByLauncher: r.Process.ExitCode is SigKillExitCode or (-1))));
        }

        var verdict = LaunchVerdict.Decide(outcomes, stopRequested);
        WaitQuietly(ranks.SelectMany(r => r.Pumps), OutputDrainLimit); // the verdict is the last line
        if (verdict.ExitCode != RunExitCodes.Completed || stopRequested)
        {
            lock (gate)
                log.Verdict(verdict.ExitCode, verdict.Summary);
        }
        return verdict.ExitCode;
    }

    private static string Describe(IEnumerable<LaunchedRank> ranks) => string.Join(", ", ranks.Select(r => r.Name));

    private static void Terminate(Process process)
    {
        if (OperatingSystem.IsWindows())
            return; // no SIGTERM there; the grace period ends in a kill
        try
        {
            // SIGTERM, not SIGINT: a background job of a non-interactive shell starts with SIGINT ignored, its ranks
            // inherit that, and .NET keeps an ignored SIGINT ignored; its SIGTERM handler is installed regardless.
            if (!process.HasExited)
                _ = kill(process.Id, SigTerm); // fails harmlessly (ESRCH) if it exited meanwhile
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static void KillAll(IEnumerable<LaunchedRank> ranks)
    {
        var killed = ranks.ToList();
        foreach (var rank in killed)
        {
            try
            {
                rank.Process.Kill(entireProcessTree: true);
            }
            catch (Exception e) when (e is InvalidOperationException or Win32Exception)
            {
                // it exited meanwhile
            }
        }
        foreach (var rank in killed)
            rank.Process.WaitForExit();
    }

    private static void WaitQuietly(IEnumerable<Task> tasks, TimeSpan limit)
    {
        var all = tasks.ToArray();
        if (all.Length > 0)
            Task.WaitAny([Task.WhenAll(all)], limit);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
