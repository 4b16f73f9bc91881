using System.Diagnostics;

namespace Asl.Distributed.Worker.Tests;

/// <summary>
/// A child process whose output lines the test can wait for as they arrive (not after the fact), with its standard
/// input optionally a pipe from the test.
/// </summary>
internal sealed class ObservedProcess : IDisposable
{
    private readonly Process _process;
    private readonly object _gate = new();
    private readonly List<string> _output = [];
    private readonly List<string> _error = [];
    private bool _outputClosed;

    public ObservedProcess(ProcessStartInfo start)
    {
        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        _process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {start.FileName}");
        _process.OutputDataReceived += (_, e) => Add(_output, e.Data, closesOutput: true);
        _process.ErrorDataReceived += (_, e) => Add(_error, e.Data, closesOutput: false);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public string Output { get { lock (_gate) return string.Join('\n', _output); } }

    public string[] ErrorLines { get { lock (_gate) return [.. _error]; } }

    public string Error => string.Join('\n', ErrorLines);

    /// <summary>asl-worker from the test's output folder: <c>dotnet asl-worker.dll ARGS</c>.</summary>
    public static ProcessStartInfo Worker(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "asl-worker.dll"));
        foreach (string arg in args)
            start.ArgumentList.Add(arg);
        return start;
    }

    /// <summary>Closes the pipe on the child's standard input (started with <c>RedirectStandardInput</c>).</summary>
    public void CloseStandardInput() => _process.StandardInput.Close();

    /// <summary>Waits for the first standard-output line that matches; fails if the output ends first or after
    /// <paramref name="hangLimit"/>, which only guards against waiting forever.</summary>
    public string WaitForLine(Func<string, bool> match, TimeSpan hangLimit)
    {
        var clock = Stopwatch.StartNew();
        lock (_gate)
        {
            while (true)
            {
                if (_output.FirstOrDefault(match) is { } line)
                    return line;
                Assert.False(_outputClosed, $"the output ended without the awaited line:\n{string.Join('\n', _output)}\n{string.Join('\n', _error)}");
                var left = hangLimit - clock.Elapsed;
                Assert.True(left > TimeSpan.Zero, $"no awaited line within {hangLimit}:\n{string.Join('\n', _output)}\n{string.Join('\n', _error)}");
                Monitor.Wait(_gate, left); // a new line or the end of the output
            }
        }
    }

    /// <summary>Waits for the exit and the end of the output; returns the exit code.</summary>
    public int WaitForExit(TimeSpan hangLimit)
    {
        Assert.True(_process.WaitForExit(hangLimit), $"{_process.StartInfo.FileName} did not exit within {hangLimit}:\n{Output}\n{Error}");
        _process.WaitForExit(); // the output is complete after this one
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

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
