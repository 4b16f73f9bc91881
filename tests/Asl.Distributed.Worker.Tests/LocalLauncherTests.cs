using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Asl.Distributed.Worker.Launching;
using Microsoft.Extensions.Time.Testing;

namespace Asl.Distributed.Worker.Tests;

/// <summary><see cref="LocalLauncher"/> with real <c>/bin/sh</c> children; the rank arguments arrive as <c>$1</c>...</summary>
public sealed partial class LocalLauncherTests
{
    /// <summary>
    /// A grace period no rank here needs: each one ends by itself (or by the SIGTERM it is sent), so a kill after
    /// this long would be a failure, never an effect of load.
    /// </summary>
    private static readonly TimeSpan UnreachedGrace = TimeSpan.FromMinutes(10);

    [Fact]
    public void Run_ThreeRanks_EachGetsItsRankTheSamePeersAndSecretAndOutputIsPrefixed()
    {
        // $1..$3 are the user's args, then --rank r --world-size N --peers LIST
        const string script = """
            echo "args=$*"
            echo "secret=$ASL_JOB_SECRET"
            echo "local_rank=$LOCAL_RANK"
            echo "to stderr" >&2
            echo "launcher=$ASL_LAUNCHER_PID pid=$$"
            if [ -p /dev/stdin ]; then echo "stdin=pipe"; else echo "stdin=other"; fi
            """;
        var output = new LineRecorder();
        var error = new LineRecorder();

        int exit = LocalLauncher.Run(Sh(script), ["train", "cfg.yaml", "run.batch_size=8"], new LaunchOptions(3, TimeSpan.FromSeconds(1)),
            output, error, CancellationToken.None);

        Assert.True(exit == 0, $"exit {exit}\n{output}\n{error}");
        string[] lines = output.Lines;
        string first = lines[0];
        Assert.StartsWith("asl-worker: starting 3 rank(s)", first);

        var args = lines.Where(l => l.Contains("args=", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, args.Count);
        var parsed = args.Select(l => ArgsLine().Match(l)).ToList();
        Assert.All(parsed, m => Assert.True(m.Success, $"unexpected line in\n{output}"));
        Assert.Equal(["0", "1", "2"], parsed.Select(m => m.Groups["rank"].Value).Order());
        Assert.All(parsed, m => Assert.Equal("3", m.Groups["world"].Value));
        Assert.Single(parsed.Select(m => m.Groups["peers"].Value).Distinct());
        string[] peers = parsed[0].Groups["peers"].Value.Split(',');
        Assert.Equal(3, peers.Length);
        Assert.All(peers, p => Assert.StartsWith("127.0.0.1:", p));
        Assert.Equal(3, peers.Select(p => int.Parse(p["127.0.0.1:".Length..], System.Globalization.CultureInfo.InvariantCulture)).Distinct().Count());
        foreach (string port in peers.Select(p => p["127.0.0.1:".Length..]))
            Assert.Contains(port, first);

        foreach (var m in parsed)
        {
            string rank = m.Groups["rank"].Value;
            Assert.Equal(rank == "0" ? "" : $"[rank {rank}] ", m.Groups["prefix"].Value);
            // As torchrun does: LOCAL_RANK picks each rank's CUDA device under run.device: cuda.
            Assert.Contains($"{m.Groups["prefix"].Value}local_rank={rank}", lines);
        }

        var secrets = lines.Where(l => l.Contains("secret=", StringComparison.Ordinal)).Select(l => l[(l.IndexOf('=') + 1)..]).ToList();
        Assert.Equal(3, secrets.Count);
        string secret = Assert.Single(secrets.Distinct());
        Assert.True(secret.Length >= 32, $"secret '{secret}' is too short");
        Assert.DoesNotContain(secret, first);
        Assert.DoesNotContain(secret, error.ToString());
        Assert.NotEqual(secret, LocalLauncher.NewSecret());

        Assert.Equal(["[rank 0] to stderr", "[rank 1] to stderr", "[rank 2] to stderr"], error.Lines.Order());

        // Each rank knows its launcher and holds a pipe from it (LauncherWatch); the launcher names every rank's pid.
        Assert.Equal(3, lines.Count(l => l.EndsWith("stdin=pipe", StringComparison.Ordinal)));
        var launched = lines.Select(l => LauncherLine().Match(l)).Where(m => m.Success).ToList();
        Assert.Equal(3, launched.Count);
        Assert.All(launched, m => Assert.Equal($"{Environment.ProcessId}", m.Groups["launcher"].Value));
        string started = Assert.Single(lines, l => l.StartsWith("asl-worker: started ", StringComparison.Ordinal));
        foreach (var m in launched)
            Assert.Contains($"rank {(m.Groups["prefix"].Value.Length == 0 ? "0" : m.Groups["prefix"].Value[6..^2])} (pid {m.Groups["pid"].Value})", started);
    }

    [Fact]
    public async Task Run_OneRankFails_ReturnsItsCodeAndKillsTheSurvivorsWithTheirChildren()
    {
        // Rank 1 gives up once the test has seen both survivors name their shell and their child (it creates the
        // go file then): the kill after the 1 s grace period finds them, however slowly they started. Their
        // children sleep far beyond any wait here, so only the launcher's kill ends them.
        string go = Path.Combine(Path.GetTempPath(), $"asl-launcher-go-{Guid.NewGuid():N}");
        string script = $$"""
            if [ "$2" = 1 ]; then
              while [ ! -e '{{go}}' ]; do sleep 0.05; done
              echo "rank 1 gives up" >&2; exit 1
            fi
            sleep 3600 &
            echo "pids $$ $!"
            wait
            """;
        var output = new LineRecorder();
        var error = new LineRecorder();
        var survivorsUp = output.When(lines => lines.Count(l => l.Contains("pids ", StringComparison.Ordinal)) == 2);
        var run = Task.Run(() => LocalLauncher.Run(Sh(script), [], new LaunchOptions(3, TimeSpan.FromSeconds(1)), output, error, CancellationToken.None));
        var pids = new List<int>();
        try
        {
            await Hang.Guard(Task.WhenAny(survivorsUp, run), "ranks 0 and 2 starting their children");
            Assert.True(survivorsUp.IsCompleted, $"the launcher returned first:\n{output}\n{error}");
            pids.AddRange(output.Lines.Where(l => l.Contains("pids ", StringComparison.Ordinal))
                .SelectMany(l => l[(l.IndexOf("pids ", StringComparison.Ordinal) + 5)..].Split(' '))
                .Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture)));
            File.WriteAllText(go, "");

            int exit = await Hang.Guard(run, "the launcher's return after rank 1 failed");

            Assert.True(exit == 1, $"exit {exit}\n{output}\n{error}");
            AssertRankOneFailedAndTheOthersWereKilled(error);
            Assert.True(pids.Count == 4, $"expected two shells and two sleeps:\n{output}");
            foreach (int pid in pids)
                Assert.True(UnixProcesses.WaitUntilGone(pid, Hang.Limit), $"process {pid} is still alive {Hang.Limit} after the launcher returned");
        }
        finally
        {
            // Nothing left behind when the test fails: rank 1 may end, and so may what the launcher did not kill.
            File.WriteAllText(go, "");
            foreach (int pid in pids.Where(UnixProcesses.IsRunning))
                UnixProcesses.Send(pid, UnixProcesses.SigKill);
            if (run.IsCompleted)
                File.Delete(go);
        }
    }

    private static void AssertRankOneFailedAndTheOthersWereKilled(LineRecorder error)
    {
        Assert.Contains("[rank 1] rank 1 gives up", error.Lines);
        Assert.Single(error.Lines, l => l.StartsWith("asl-worker: rank 1 (pid ", StringComparison.Ordinal) && l.EndsWith(") exited with code 1", StringComparison.Ordinal));
        string verdict = Assert.Single(error.Lines, l => l.StartsWith("asl-worker: exit code", StringComparison.Ordinal));
        Assert.StartsWith("asl-worker: exit code 1, the run failed (rank 1): ", verdict);
        Assert.Contains("rank 0 (pid ", verdict); // killed at the end of the grace period
        Assert.Contains("was still running at the end of the grace period and was killed", verdict);
        string killLine = Assert.Single(error.Lines, l => l.StartsWith("asl-worker: killing", StringComparison.Ordinal));
        Assert.Contains("rank 0", killLine);
        Assert.Contains("rank 2", killLine);
        Assert.DoesNotContain("rank 1 (pid", killLine);
        Assert.EndsWith("after rank 1 failed", killLine);
        Assert.True(error.ToString().IndexOf("rank 1 gives up", StringComparison.Ordinal)
            < error.ToString().IndexOf("exited with code 1", StringComparison.Ordinal), error.ToString());
    }

    [Fact]
    public async Task Run_Cancelled_SendsSigTermToEveryRankAndReturns130()
    {
        // The ranks stop the way asl-worker does: at the signal, with code 130.
        const string script = """
            sleep 30 &
            child=$!
            trap 'kill $child; echo "got TERM"; exit 130' TERM
            echo ready
            wait
            """;
        var (exit, output, error) = await RunAndCancelWhenReady(script, 3);

        Assert.True(exit == 130, $"exit {exit}\n{output}\n{error}");
        Assert.Equal(["[rank 1] got TERM", "[rank 2] got TERM", "got TERM"], output.Lines.Where(l => l.EndsWith("got TERM", StringComparison.Ordinal)).Order());
        Assert.Single(error.Lines, l => l.StartsWith("asl-worker: interrupted; sending SIGTERM to rank 0 (pid ", StringComparison.Ordinal));
        Assert.DoesNotContain(error.Lines, l => l.StartsWith("asl-worker: killing", StringComparison.Ordinal));
        Assert.StartsWith("asl-worker: exit code 130, interrupted: ", error.Lines[^1]);
    }

    [Fact]
    public async Task Run_CancelledButEveryRankCompletesItsRun_Returns0()
    {
        // Ranks that finish their work although asked to stop: the job completed, so the launcher says 0, not 130.
        // (Each ends its child too: one left running would hold the output pipe open after the rank exits.)
        const string script = """
            sleep 30 &
            child=$!
            trap 'kill $child; echo "finishing anyway"; exit 0' TERM
            echo ready
            wait
            """;
        var (exit, output, error) = await RunAndCancelWhenReady(script, 2);

        Assert.True(exit == 0, $"exit {exit}\n{output}\n{error}");
        Assert.Equal(2, output.Lines.Count(l => l.EndsWith("finishing anyway", StringComparison.Ordinal)));
        Assert.Equal("asl-worker: exit code 0, done: every rank completed its run before the stop reached it", error.Lines[^1]);
    }

    [Fact]
    public void Run_OneRankKilledBySigKillAndTheOthersLoseIt_Returns3NamingTheRankAndTheSignal()
    {
        // Rank 1 dies as the OOM killer or kill -9 would end it; the others report the lost peer as asl-worker does.
        const string script = """
            if [ "$2" = 1 ]; then echo "pid $$"; kill -KILL $$; fi
            exit 3
            """;
        var output = new LineRecorder();
        var error = new LineRecorder();

        int exit = LocalLauncher.Run(Sh(script), [], new LaunchOptions(3, UnreachedGrace), output, error, CancellationToken.None);

        Assert.True(exit == 3, $"exit {exit}\n{output}\n{error}");
        string pid = Assert.Single(output.Lines, l => l.StartsWith("[rank 1] pid ", StringComparison.Ordinal))["[rank 1] pid ".Length..];
        string killed = $"rank 1 (pid {pid}) was killed by SIGKILL (exit code 137)";
        Assert.Contains($"asl-worker: {killed}", error.Lines);
        string verdict = error.Lines[^1];
        Assert.StartsWith("asl-worker: exit code 3, a peer was lost: ", verdict);
        Assert.Contains(killed, verdict);
        Assert.Contains("rank 0 (pid ", verdict);
        Assert.Contains("rank 2 (pid ", verdict);
        Assert.DoesNotContain(error.Lines, l => l.StartsWith("asl-worker: killing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_GracePeriod_RunsOnTheLaunchersClock()
    {
        // Ten minutes of grace on a fake clock: the survivors are killed when that clock says so, not the wall's.
        const string script = """
            if [ "$2" = 1 ]; then exit 1; fi
            exec sleep 600
            """;
        var output = new LineRecorder();
        var error = new LineRecorder();
        var time = new TimerWatchingClock();
        var grace = TimeSpan.FromMinutes(10);
        var run = Task.Run(() => LocalLauncher.Run(Sh(script), [], new LaunchOptions(3, grace) { Time = time }, output, error, CancellationToken.None));

        // The grace period starts once rank 1's failure is seen: its timer is the launcher's only one on this clock.
        await Hang.Guard(Task.WhenAny(time.TimerCreated, run), "the grace period's start");
        Assert.True(time.TimerCreated.IsCompleted, $"the launcher returned before the grace period started:\n{output}\n{error}");
        time.Advance(grace);

        int exit = await Hang.Guard(run, "the kill at the end of the grace period");
        Assert.True(exit == 1, $"exit {exit}\n{output}\n{error}");
        Assert.Contains(error.Lines, l => l.StartsWith("asl-worker: killing rank ", StringComparison.Ordinal) && l.EndsWith("still running 600 s after rank 1 failed", StringComparison.Ordinal));
    }

    [Fact]
    public void Run_MissingExecutable_ReturnsOneNamingTheCommand()
    {
        const string missing = "/nonexistent/asl-worker-missing";
        var output = new LineRecorder();
        var error = new LineRecorder();

        int exit = LocalLauncher.Run([missing], ["train", "cfg.yaml"], new LaunchOptions(2, TimeSpan.FromSeconds(1)), output, error, CancellationToken.None);

        Assert.Equal(1, exit);
        Assert.Contains(missing, error.ToString());
        Assert.Contains("cannot start rank 0", error.ToString());
    }

    [Fact]
    public void FreeLoopbackPorts_AreDistinctAndCanBeBoundAgain()
    {
        int[] ports = LocalLauncher.FreeLoopbackPorts(8);

        Assert.Equal(8, ports.Distinct().Count());
        Assert.All(ports, p => Assert.InRange(p, 1, 65535));
        var listeners = ports.Select(p => new TcpListener(IPAddress.Loopback, p)).ToList();
        try
        {
            foreach (var listener in listeners)
                listener.Start();
        }
        finally
        {
            foreach (var listener in listeners)
                listener.Dispose();
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(257)]
    public void Run_ProcessCountOutOfRange_ThrowsNamingTheRange(int count)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            LocalLauncher.Run(Sh("exit 0"), [], new LaunchOptions(count, TimeSpan.FromSeconds(1)), TextWriter.Null, TextWriter.Null, CancellationToken.None));
        Assert.Contains("between 1 and 256", e.Message);
    }

    [Fact]
    public void NewSecret_Is64HexDigitsAndFreshEachTime()
    {
        string a = LocalLauncher.NewSecret();
        Assert.Matches("^[0-9a-f]{64}$", a);
        Assert.NotEqual(a, LocalLauncher.NewSecret());
    }

    [Fact]
    public void ChildCommandOfThisProcess_StartsWithAnExistingExecutable()
    {
        var command = LocalLauncher.ChildCommandOfThisProcess();
        Assert.True(File.Exists(command[0]), command[0]);
        if (Path.GetFileNameWithoutExtension(command[0]) == "dotnet")
            Assert.EndsWith(".dll", Assert.Single(command.Skip(1)));
    }

    private static string[] Sh(string script) => ["/bin/sh", "-c", script, "sh"];

    /// <summary>Runs <paramref name="script"/> on <paramref name="ranks"/> ranks and cancels once every rank printed "ready".</summary>
    private static async Task<(int Exit, LineRecorder Output, LineRecorder Error)> RunAndCancelWhenReady(string script, int ranks)
    {
        var output = new LineRecorder();
        var error = new LineRecorder();
        using var cancel = new CancellationTokenSource();
        var ready = output.When(lines => lines.Count(l => l.EndsWith("ready", StringComparison.Ordinal)) == ranks);
        var run = Task.Run(() => LocalLauncher.Run(Sh(script), [], new LaunchOptions(ranks, UnreachedGrace), output, error, cancel.Token));
        await Hang.Guard(Task.WhenAny(ready, run), "every rank printing 'ready'");
        Assert.True(ready.IsCompleted, $"the launcher returned before every rank came up:\n{output}\n{error}");
        cancel.Cancel();
        int exit = await Hang.Guard(run, "the launcher's return after the cancellation");
        return (exit, output, error);
    }

    [GeneratedRegex(@"^(?<prefix>(\[rank \d+\] )?)args=train cfg\.yaml run\.batch_size=8 --rank (?<rank>\d+) --world-size (?<world>\d+) --peers (?<peers>\S+)$")]
    private static partial Regex ArgsLine();

    [GeneratedRegex(@"^(?<prefix>(\[rank \d+\] )?)launcher=(?<launcher>\d+) pid=(?<pid>\d+)$")]
    private static partial Regex LauncherLine();

    /// <summary>
    /// A <see cref="TextWriter"/> that the test may read while the launcher writes to it, and whose lines it can await:
    /// a condition on the complete lines is checked as each line arrives.
    /// </summary>
    private sealed class LineRecorder : TextWriter
    {
        private readonly StringBuilder _text = new();
        private readonly List<(Func<string[], bool> Condition, TaskCompletionSource Done)> _waiters = [];

        public override Encoding Encoding => Encoding.UTF8;

        /// <summary>Completes once <paramref name="condition"/> holds for the complete lines written so far.</summary>
        public Task When(Func<string[], bool> condition)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_text)
            {
                if (condition(CompleteLines()))
                    done.SetResult();
                else
                    _waiters.Add((condition, done));
            }
            return done.Task;
        }

        public string[] Lines
        {
            get
            {
                string text = ToString();
                return text.Length == 0 ? [] : text.TrimEnd('\n').Split('\n');
            }
        }

        public override void Write(char value)
        {
            lock (_text)
            {
                _text.Append(value);
                if (value == '\n')
                    CheckWaiters();
            }
        }

        public override void Write(string? value)
        {
            lock (_text)
            {
                _text.Append(value);
                if (value?.Contains('\n', StringComparison.Ordinal) == true)
                    CheckWaiters();
            }
        }

        public override string ToString()
        {
            lock (_text)
                return _text.ToString();
        }

        /// <summary>The lines that have their end of line; called under the lock.</summary>
        private string[] CompleteLines()
        {
            string text = _text.ToString();
            int end = text.LastIndexOf('\n');
            return end < 0 ? [] : text[..end].Split('\n');
        }

        private void CheckWaiters()
        {
            if (_waiters.Count == 0)
                return;
            string[] lines = CompleteLines();
            foreach (var waiter in _waiters.Where(w => w.Condition(lines)).ToList())
            {
                waiter.Done.SetResult();
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>A fake clock that says when the first timer is created on it (for the launcher, the grace period).</summary>
    private sealed class TimerWatchingClock : FakeTimeProvider
    {
        private readonly TaskCompletionSource _timerCreated = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task TimerCreated => _timerCreated.Task;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            _timerCreated.TrySetResult();
            return timer;
        }
    }
}
