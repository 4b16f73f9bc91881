using System.ComponentModel;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Asl.Distributed.Training.Collectives;

namespace Asl.Distributed.Worker.Launching;

/// <summary>How <see cref="LocalLauncher"/> starts and stops its ranks.</summary>
/// <param name="ProcessCount">How many local ranks to start, 1 to <see cref="LocalLauncher.MaxProcessCount"/>.</param>
/// <param name="GracePeriod">How long the surviving ranks may take to exit on their own after the first rank failed
/// (or after SIGINT on cancellation) before they are killed with their whole process tree.</param>
public sealed record LaunchOptions(int ProcessCount, TimeSpan GracePeriod);

/// <summary>
/// The torchrun-like local launcher: starts <see cref="LaunchOptions.ProcessCount"/> ranks of one command on this machine,
/// each with <c>--rank r --world-size N --peers 127.0.0.1:p0,...</c> appended and the job secret in
/// <see cref="SecretVariable"/>, streams their output line by line, and stops them all when one fails or on cancellation.
/// Exit code: 0 when every rank exited 0; the exit code of the first rank that failed (a negative one becomes 1);
/// 130 when cancelled before any rank failed; 1 when a rank could not be started.
/// </summary>
public static class LocalLauncher
{
    public const string SecretVariable = "ASL_JOB_SECRET";
    public const int MaxProcessCount = 256;

    private const int SigInt = 2;
    private const int InterruptedExitCode = 130;
    private static readonly TimeSpan OutputDrainLimit = TimeSpan.FromSeconds(2);

    public static int Run(IReadOnlyList<string> childCommand, IReadOnlyList<string> rankArgs, LaunchOptions options,
        TextWriter output, TextWriter error, CancellationToken cancellationToken)
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
        if (cancellationToken.IsCancellationRequested)
        {
            lock (gate) error.WriteLine("asl-worker: interrupted before any rank was started");
            return InterruptedExitCode;
        }

        int count = options.ProcessCount;
        int[] ports = FreeLoopbackPorts(count);
        string peers = string.Join(',', ports.Select(p => $"127.0.0.1:{p}"));
        string secret = NewSecret();
        lock (gate)
            output.WriteLine($"asl-worker: starting {count} rank(s) of {childCommand[0]} on 127.0.0.1 ports {string.Join(',', ports)}");

        var ranks = new List<Rank>(count);
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
                        error.WriteLine($"asl-worker: cannot start rank {r} with '{string.Join(' ', childCommand)}': {e.Message}");
                    KillAll(ranks);
                    return 1;
                }
                ranks.Add(new Rank(r, process, output, error, gate));
            }
            return Supervise(ranks, options.GracePeriod, error, gate, cancellationToken);
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
        };
        foreach (string arg in childCommand.Skip(1).Concat(rankArgs))
            start.ArgumentList.Add(arg);
        foreach (string arg in new[] { "--rank", $"{rank}", "--world-size", $"{count}", "--peers", peers })
            start.ArgumentList.Add(arg);
        start.Environment[SecretVariable] = secret;
        return start;
    }

    private static int Supervise(List<Rank> ranks, TimeSpan grace, TextWriter error, object gate, CancellationToken cancellationToken)
    {
        var running = new List<Rank>(ranks);
        var cancelled = Task.Delay(Timeout.Infinite, cancellationToken);
        bool interrupted = false;
        (int Rank, int Code)? firstFailure = null;
        var clock = Stopwatch.StartNew();
        TimeSpan? deadline = null;

        while (running.Count > 0)
        {
            var waits = running.Select(r => r.Exited).ToList();
            if (!interrupted)
                waits.Add(cancelled);
            TimeSpan timeout = deadline is { } d ? Max(d - clock.Elapsed, TimeSpan.Zero) : Timeout.InfiniteTimeSpan;
            int index = Task.WaitAny([.. waits], timeout);
            if (index < 0)
                break; // the grace period is over

            if (index == running.Count)
            {
                interrupted = true;
                lock (gate)
                    error.WriteLine($"asl-worker: interrupted; sending SIGINT to {Describe(running)}");
                foreach (var rank in running)
                    Interrupt(rank.Process);
                var interruptDeadline = clock.Elapsed + grace;
                deadline = deadline is { } earlier && earlier < interruptDeadline ? earlier : interruptDeadline;
                continue;
            }

            foreach (var rank in running.Where(r => r.Exited.IsCompleted).ToList())
            {
                running.Remove(rank);
                int code = rank.Process.ExitCode;
                if (code == 0 || (interrupted && firstFailure is null))
                    continue;
                WaitQuietly(rank.Pumps, TimeSpan.FromSeconds(1)); // its last words before the launcher's verdict
                lock (gate)
                    error.WriteLine($"asl-worker: rank {rank.Index} exited with code {code}");
                if (firstFailure is null)
                {
                    firstFailure = (rank.Index, code);
                    deadline = clock.Elapsed + grace;
                }
            }
        }

        if (running.Count > 0)
        {
            string reason = firstFailure is { } f && !interrupted ? $"rank {f.Rank} failed" : "SIGINT";
            lock (gate)
                error.WriteLine($"asl-worker: killing {Describe(running)}: still running {grace.TotalSeconds:0.###} s after {reason}");
            KillAll(running);
        }

        if (firstFailure is { } failure)
            return failure.Code < 0 ? 1 : failure.Code;
        return interrupted ? InterruptedExitCode : 0;
    }

    private static string Describe(IEnumerable<Rank> ranks) =>
        string.Join(", ", ranks.Select(r => $"rank {r.Index} (pid {r.Process.Id})"));

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static void Interrupt(Process process)
    {
        if (OperatingSystem.IsWindows())
            return; // no SIGINT there; the grace period ends in a kill
        try
        {
            if (!process.HasExited)
                _ = kill(process.Id, SigInt); // fails harmlessly (ESRCH) if it exited meanwhile
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static void KillAll(IEnumerable<Rank> ranks)
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

    /// <summary>One started rank: its process and the tasks that copy its output lines.</summary>
    private sealed class Rank
    {
        public Rank(int index, Process process, TextWriter output, TextWriter error, object gate)
        {
            Index = index;
            Process = process;
            string prefix = $"[rank {index}] ";
            Pumps =
            [
                Task.Run(() => PumpAsync(process.StandardOutput, output, index == 0 ? "" : prefix, gate)),
                Task.Run(() => PumpAsync(process.StandardError, error, prefix, gate)),
            ];
            Exited = process.WaitForExitAsync();
        }

        public int Index { get; }

        public Process Process { get; }

        public Task[] Pumps { get; }

        public Task Exited { get; }

        private static async Task PumpAsync(StreamReader reader, TextWriter target, string prefix, object gate)
        {
            try
            {
                while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
                {
                    lock (gate)
                        target.WriteLine(prefix + line);
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // the pipe was closed under us after the rank ended
            }
        }
    }
}
