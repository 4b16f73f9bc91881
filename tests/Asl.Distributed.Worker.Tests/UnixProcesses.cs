using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Asl.Distributed.Worker.Tests;

/// <summary>Signals and <c>/proc</c> for tests that watch processes which are not their own children.</summary>
internal static class UnixProcesses
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; fails the test when there is no such process.</summary>
    public static void Send(int pid, int signal) =>
        Assert.True(kill(pid, signal) == 0, $"kill({pid}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}");

    /// <summary>Whether <paramref name="pid"/> ignores <paramref name="signal"/> (the SigIgn mask of <c>/proc/PID/status</c>).</summary>
    public static bool Ignores(int pid, int signal)
    {
        string line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        ulong mask = ulong.Parse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return (mask >> (signal - 1) & 1) == 1;
    }

    /// <summary>
    /// Waits until <paramref name="pid"/> has ended: <c>/proc/PID</c> is gone or a zombie (an orphan's new parent, a
    /// container's init, may never reap it). False if it still runs after <paramref name="hangLimit"/>, which only
    /// guards against waiting forever.
    /// </summary>
    public static bool WaitUntilGone(int pid, TimeSpan hangLimit)
    {
        var clock = Stopwatch.StartNew();
        while (IsRunning(pid))
        {
            if (clock.Elapsed > hangLimit)
                return false;
            Thread.Sleep(20);
        }
        return true;
    }

    /// <summary>True while <paramref name="pid"/> exists and is not a zombie.</summary>
    public static bool IsRunning(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        // "pid (comm) S ...": the state follows the last ')' (comm may hold spaces and parentheses).
        return !stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
