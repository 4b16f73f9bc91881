using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading.Channels;

namespace Asl.Distributed.Coordinator.Tests.EndToEnd;

/// <summary>
/// A started program whose output lines are kept and can be awaited; killed (with its children) at dispose if it is
/// still running.
/// </summary>
internal sealed class RunningProcess : IDisposable
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(5);
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _all = [];
    private int _openStreams = 2;

    public RunningProcess(ProcessStartInfo start)
    {
        Process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        Process.OutputDataReceived += (_, e) => Add(e.Data);
        Process.ErrorDataReceived += (_, e) => Add(e.Data);
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();
    }

    public Process Process { get; }

    /// <summary>Every line so far, standard output and error interleaved as they arrived.</summary>
    public string Output
    {
        get
        {
            lock (_all)
                return string.Join('\n', _all);
        }
    }

    /// <summary>Waits for the first line (from now on) that contains <paramref name="text"/>, and returns it.</summary>
    public async Task<string> WaitForLine(string text)
    {
        using var guard = new CancellationTokenSource(HangGuard);
        while (true)
        {
            string line;
            try
            {
                line = await _lines.Reader.ReadAsync(guard.Token);
            }
            catch (ChannelClosedException)
            {
                await Process.WaitForExitAsync(guard.Token);
                throw new InvalidOperationException($"the process exited (code {Process.ExitCode}) before printing '{text}':\n{Output}");
            }
            if (line.Contains(text, StringComparison.Ordinal))
                return line;
        }
    }

    /// <summary>SIGTERM, as a scheduler or an operator stops a process that may finish what it is doing.</summary>
    public void Terminate()
    {
        const int SigTerm = 15;
        if (kill(Process.Id, SigTerm) != 0)
            throw new InvalidOperationException($"kill({Process.Id}, SIGTERM) failed with errno {Marshal.GetLastPInvokeError()}");
    }

    public async Task<int> WaitForExit()
    {
        using var guard = new CancellationTokenSource(HangGuard);
        await Process.WaitForExitAsync(guard.Token);
        return Process.ExitCode;
    }

    public void Dispose()
    {
        if (!Process.HasExited)
            Process.Kill(entireProcessTree: true);
        Process.WaitForExit();
        Process.Dispose();
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    private void Add(string? line)
    {
        if (line is null)
        {
            // Both standard output and error have ended.
            if (Interlocked.Decrement(ref _openStreams) == 0)
                _lines.Writer.TryComplete();
            return;
        }
        lock (_all)
            _all.Add(line);
        _lines.Writer.TryWrite(line);
    }
}
