using System.Diagnostics;
using System.Globalization;

namespace Asl.Distributed.Benchmarks;

/// <summary>
/// CPU time from /proc: a process's utime + stime (fields 14 and 15 of /proc/&lt;pid&gt;/stat, in clock ticks), and
/// the machine's busy and total time (the first line of /proc/stat), so a window's delta gives a share of a core.
/// </summary>
internal static class ProcessCpu
{
    private static readonly Lazy<double> TicksPerSecond = new(() =>
    {
        // USER_HZ; 100 on every Linux this runs on, asked of getconf to be sure.
        try
        {
            using var getconf = Process.Start(new ProcessStartInfo("getconf", "CLK_TCK") { RedirectStandardOutput = true })!;
            string text = getconf.StandardOutput.ReadToEnd().Trim();
            getconf.WaitForExit();
            return double.Parse(text, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or FormatException)
        {
            return 100;
        }
    });

    /// <summary>The user + system CPU time of process <paramref name="pid"/>.</summary>
    public static TimeSpan Of(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond.Value);
    }

    /// <summary>The machine's busy and total CPU time over all cores (busy: everything but idle and iowait).</summary>
    public static (TimeSpan Busy, TimeSpan Total) Machine()
    {
        string[] fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long[] ticks = [.. fields.Skip(1).Take(8).Select(f => long.Parse(f, CultureInfo.InvariantCulture))];
        long total = ticks.Sum();
        long idle = ticks[3] + ticks[4];
        return (TimeSpan.FromSeconds((total - idle) / TicksPerSecond.Value), TimeSpan.FromSeconds(total / TicksPerSecond.Value));
    }

    /// <summary>The 1-minute load average.</summary>
    public static double LoadAverage() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
}
