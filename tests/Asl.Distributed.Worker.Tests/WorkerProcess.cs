using System.Diagnostics;
using System.Text;

namespace Asl.Distributed.Worker.Tests;

/// <summary>Runs the real <c>asl-worker</c> executable as a child process.</summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();

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
        _process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_error) _error.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output { get { lock (_output) return _output.ToString(); } }

    public string Error { get { lock (_error) return _error.ToString(); } }

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
}
