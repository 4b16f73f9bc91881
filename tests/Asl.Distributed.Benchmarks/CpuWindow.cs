using System.Diagnostics;

namespace Asl.Distributed.Benchmarks;

/// <summary>
/// CPU use over a window of wall time: the coordinator's process and this (the load generator's) process as a share
/// of one core, the whole machine's as a share of all its cores, and the load average at the window's end.
/// </summary>
internal sealed class CpuWindow
{
    private readonly int _coordinatorPid;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly TimeSpan _coordinator;
    private readonly TimeSpan _generator;
    private readonly (TimeSpan Busy, TimeSpan Total) _machine;

    public CpuWindow(int coordinatorPid)
    {
        _coordinatorPid = coordinatorPid;
        _coordinator = ProcessCpu.Of(coordinatorPid);
        _generator = ProcessCpu.Of(Environment.ProcessId);
        _machine = ProcessCpu.Machine();
    }

    /// <summary>The window's figures from its start to now.</summary>
    public CpuShare Read()
    {
        double seconds = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        var machine = ProcessCpu.Machine();
        return new CpuShare(
            seconds,
            100 * (ProcessCpu.Of(_coordinatorPid) - _coordinator).TotalSeconds / seconds,
            100 * (ProcessCpu.Of(Environment.ProcessId) - _generator).TotalSeconds / seconds,
            100 * (machine.Busy - _machine.Busy).TotalSeconds / (machine.Total - _machine.Total).TotalSeconds,
            ProcessCpu.LoadAverage());
    }
}
