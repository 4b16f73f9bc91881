using System.Diagnostics;

namespace Asl.Distributed.Worker.Tests;

/// <summary>Runs the real <c>asl-worker</c> executable as a child process; its output lines can be awaited as they arrive.</summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly object _gate = new();
    private readonly List<string> _output = [];
    private readonly List<string> _error = [];
    private bool _outputClosed;

    public WorkerProcess(params string[] args)
        : this(new Dictionary<string, string>(), args)
    {
    }

    /// <summary>Starts asl-worker with <paramref name="environment"/> added to this process's environment.</summary>
    public WorkerProcess(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "asl-worker.dll"));
        foreach (string arg in args) start.ArgumentList.Add(arg);
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Add(_output, e.Data, closesOutput: true);
        _process.ErrorDataReceived += (_, e) => Add(_error, e.Data, closesOutput: false);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output { get { lock (_gate) return Text(_output); } }

    public string Error { get { lock (_gate) return Text(_error); } }

    /// <summary>
    /// Waits for the first standard-output line that matches, woken by each new line; fails if the output ends
    /// without it or after <paramref name="hangLimit"/>, which only guards against waiting forever.
    /// </summary>
    public string WaitForLine(Func<string, bool> match, TimeSpan hangLimit)
    {
        long start = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            while (true)
            {
                if (_output.FirstOrDefault(match) is { } line)
                    return line;
                Assert.False(_outputClosed, $"asl-worker's output ended without the awaited line:\n{Text(_output)}\n{Text(_error)}");
                var left = hangLimit - Stopwatch.GetElapsedTime(start);
                Assert.True(left > TimeSpan.Zero, $"no awaited line within {hangLimit} (a hang):\n{Text(_output)}\n{Text(_error)}");
                Monitor.Wait(_gate, left); // a new line or the end of the output
            }
        }
    }

    public int WaitForExit(TimeSpan timeout)
    {
        Assert.True(_process.WaitForExit(timeout), $"asl-worker did not exit within {timeout}; output so far:\n{Output}\n{Error}");
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Kill() => _process.Kill(entireProcessTree: true);

    public static (int Exit, string Output, string Error) Run(TimeSpan timeout, params string[] args)
    {
        using var worker = new WorkerProcess(args);
        int exit = worker.WaitForExit(timeout);
        return (exit, worker.Output, worker.Error);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    private static string Text(List<string> lines) => string.Concat(lines.Select(l => l + "\n"));

    private void Add(List<string> lines, string? line, bool closesOutput)
    {
        lock (_gate)
        {
            if (line is not null)
                lines.Add(line);
            else if (closesOutput)
                _outputClosed = true;
            Monitor.PulseAll(_gate);
        }
    }
}
